//! The data a template is rendered with: any `serde::Serialize` value plus rich objects
//! (pictures, rich text) that plain data cannot express.

use crate::error::TemplateError;
use crate::image::InlineImage;
use crate::rich::{RichParagraph, RichText, RichTextParagraph, Segment};
use minijinja::value::{Object, ObjectRepr, Value};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) enum RichObject {
    Image(InlineImage),
    Text(RichText),
    Paragraphs(RichTextParagraph),
}

/// Template value standing for `objects[index]` of the context being rendered; printing it
/// leaves a marker that the post-render pass turns into runs or a picture.
#[derive(Debug)]
pub(crate) struct ObjectRef {
    pub index: usize,
    pub kind: &'static str,
}

impl Object for ObjectRef {
    // Plain, not the default map shape: an empty map would be falsy in `{% if chart %}`.
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result
    where
        Self: Sized + 'static,
    {
        write!(f, "<{}>", self.kind)
    }
}

/// Rendering context. Build it from a serialisable value, then attach pictures and rich text:
/// `Context::from_serialize(&report)?.with_image("chart", InlineImage::png(png)?.width_mm(160.0))`.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub(crate) base: Vec<(String, Value)>,
    pub(crate) objects: Vec<RichObject>,
}

impl Context {
    pub fn new() -> Self {
        Context::default()
    }

    /// From any value that serialises to a map (a struct or a map with string keys).
    pub fn from_serialize<T: serde::Serialize>(value: &T) -> Result<Context, TemplateError> {
        let v = serde_json::to_value(value)
            .map_err(|e| TemplateError::Context(format!("cannot serialise the context: {e}")))?;
        let serde_json::Value::Object(map) = v else {
            return Err(TemplateError::Context(
                "the context must serialise to a map of names to values".into(),
            ));
        };
        Ok(Context {
            base: map
                .into_iter()
                .map(|(k, v)| (k, Value::from(minijinja::value::Serde(&v))))
                .collect(),
            objects: Vec::new(),
        })
    }

    /// Read a JSON context file. Objects with the single key `$image`, `$richtext` or
    /// `$richtextparagraph` become rich values; image paths are relative to the file.
    pub fn from_json_file(path: &Path) -> Result<Context, TemplateError> {
        let bytes = std::fs::read(path).map_err(|source| TemplateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let json: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| TemplateError::Context(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Context::from_json(&json, base)
    }

    /// Like [`Context::from_json_file`] for an already parsed value; `base` resolves image paths.
    pub fn from_json(json: &serde_json::Value, base: &Path) -> Result<Context, TemplateError> {
        let serde_json::Value::Object(map) = json else {
            return Err(TemplateError::Context(
                "the context must be a JSON object".into(),
            ));
        };
        let mut ctx = Context::new();
        for (k, v) in map {
            let value = ctx.convert(v, base, k)?;
            ctx.base.push((k.clone(), value));
        }
        Ok(ctx)
    }

    fn convert(
        &mut self,
        v: &serde_json::Value,
        base: &Path,
        at: &str,
    ) -> Result<Value, TemplateError> {
        Ok(match v {
            serde_json::Value::Object(map) => {
                if let Some(marker) = map.keys().find(|k| k.starts_with('$')) {
                    if map.len() != 1 {
                        return Err(TemplateError::Context(format!(
                            "{at}: an object with the key {marker} must have no other key"
                        )));
                    }
                    let body = &map[marker];
                    let obj = marker_object(marker, body, base, at)?;
                    self.push(obj)
                } else {
                    let mut items = Vec::with_capacity(map.len());
                    for (k, v) in map {
                        items.push((k.clone(), self.convert(v, base, &format!("{at}.{k}"))?));
                    }
                    Value::from_pairs(items)
                }
            }
            serde_json::Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    out.push(self.convert(v, base, &format!("{at}[{i}]"))?);
                }
                Value::from(out)
            }
            other => Value::from(minijinja::value::Serde(other)),
        })
    }

    fn push(&mut self, obj: RichObject) -> Value {
        let kind = match obj {
            RichObject::Image(_) => "image",
            RichObject::Text(_) => "rich text",
            RichObject::Paragraphs(_) => "rich paragraphs",
        };
        self.objects.push(obj);
        Value::from_object(ObjectRef {
            index: self.objects.len() - 1,
            kind,
        })
    }

    fn set(&mut self, name: &str, value: Value) {
        self.base.retain(|(k, _)| k != name);
        self.base.push((name.to_string(), value));
    }

    /// Add (or replace) a top-level plain value.
    pub fn with_value<T: serde::Serialize>(mut self, name: &str, value: &T) -> Self {
        self.set(name, Value::from(minijinja::value::Serde(value)));
        self
    }

    /// Add a picture, printed with `{{ name }}`.
    pub fn with_image(mut self, name: &str, image: InlineImage) -> Self {
        let v = self.push(RichObject::Image(image));
        self.set(name, v);
        self
    }

    /// Add rich text, printed with `{{r name }}`.
    pub fn with_rich_text(mut self, name: &str, text: RichText) -> Self {
        let v = self.push(RichObject::Text(text));
        self.set(name, v);
        self
    }

    /// Add rich paragraphs, printed with `{{p name }}`.
    pub fn with_rich_paragraphs(mut self, name: &str, paragraphs: RichTextParagraph) -> Self {
        let v = self.push(RichObject::Paragraphs(paragraphs));
        self.set(name, v);
        self
    }

    /// A picture or rich value to place inside lists or maps: returns the value to embed.
    pub fn image_value(&mut self, image: InlineImage) -> Value {
        self.push(RichObject::Image(image))
    }

    pub(crate) fn root(&self) -> Value {
        Value::from_pairs(self.base.iter().cloned())
    }

    /// The text a legacy `<<name>>` marker gets: top-level strings and numbers only.
    pub(crate) fn legacy_value(&self, name: &str) -> Option<&Value> {
        self.base
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .filter(|v| v.as_str().is_some() || v.is_number())
    }
}

fn marker_object(
    marker: &str,
    body: &serde_json::Value,
    base: &Path,
    at: &str,
) -> Result<RichObject, TemplateError> {
    let bad = |e: &dyn std::fmt::Display| TemplateError::Context(format!("{at}: {marker}: {e}"));
    match marker {
        "$richtext" => {
            let segments: Vec<Segment> =
                serde_json::from_value(body.clone()).map_err(|e| bad(&e))?;
            Ok(RichObject::Text(RichText { segments }))
        }
        "$richtextparagraph" => {
            let paragraphs: Vec<RichParagraph> =
                serde_json::from_value(body.clone()).map_err(|e| bad(&e))?;
            Ok(RichObject::Paragraphs(RichTextParagraph { paragraphs }))
        }
        "$image" => {
            let path = body
                .get("path")
                .and_then(|p| p.as_str())
                .ok_or_else(|| bad(&"needs a \"path\" string"))?;
            let mm = |key: &str| -> Result<Option<f64>, TemplateError> {
                match body.get(key) {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(v) => v
                        .as_f64()
                        .filter(|x| x.is_finite() && *x > 0.0)
                        .map(Some)
                        .ok_or_else(|| bad(&format!("{key} must be a positive number"))),
                }
            };
            let full = base.join(path);
            let bytes = std::fs::read(&full).map_err(|source| TemplateError::Io {
                path: full.display().to_string(),
                source,
            })?;
            let mut img = InlineImage::from_bytes(bytes).map_err(|_| TemplateError::Image {
                name: path.to_string(),
                message: "not a PNG, JPEG, GIF, BMP or TIFF picture".into(),
            })?;
            img.width_mm = mm("width_mm")?;
            img.height_mm = mm("height_mm")?;
            Ok(RichObject::Image(img))
        }
        other => Err(TemplateError::Context(format!(
            "{at}: unknown marker {other} (expected $image, $richtext or $richtextparagraph)"
        ))),
    }
}
