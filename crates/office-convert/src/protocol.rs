//! Frames between the pool and its worker processes: one tag byte, a
//! big-endian u32 length, then the payload. Pipes, not sockets, so a worker
//! dies with its parent's end closed and nothing listens on the network.

use std::io::{Read, Write};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Parent → worker: convert the .docx in the payload.
pub(crate) const CONVERT: u8 = 10;
/// Worker → parent: LibreOffice is up; payload is its version info.
pub(crate) const READY: u8 = 1;
/// Worker → parent: payload is the PDF.
pub(crate) const PDF: u8 = 2;
/// Worker → parent: LibreOffice refused the document (permanent).
pub(crate) const REJECTED: u8 = 3;
/// Worker → parent: the worker could not do its own I/O (transient).
pub(crate) const WORKER_ERROR: u8 = 5;
/// Worker → parent: LibreOfficeKit could not start.
pub(crate) const INIT_FAILED: u8 = 6;

/// Largest payload accepted, so a corrupted length cannot trigger a huge
/// allocation. Word documents and their PDFs are far below this.
pub(crate) const MAX_FRAME: usize = 512 * 1024 * 1024;

pub(crate) fn write_frame(out: &mut impl Write, tag: u8, payload: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|l| *l as usize <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::other("frame too large"))?;
    out.write_all(&[tag])?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(payload)?;
    out.flush()
}

/// `Ok(None)` on a clean end of stream between frames.
pub(crate) fn read_frame(input: &mut impl Read) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut header = [0u8; 5];
    match input.read_exact(&mut header[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    input.read_exact(&mut header[1..])?;
    let len = frame_len(&header)?;
    let mut payload = vec![0u8; len];
    input.read_exact(&mut payload)?;
    Ok(Some((header[0], payload)))
}

pub(crate) async fn write_frame_async(
    out: &mut (impl AsyncWrite + Unpin),
    tag: u8,
    payload: &[u8],
) -> std::io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|l| *l as usize <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::other("frame too large"))?;
    let mut header = [0u8; 5];
    header[0] = tag;
    header[1..].copy_from_slice(&len.to_be_bytes());
    out.write_all(&header).await?;
    out.write_all(payload).await?;
    out.flush().await
}

pub(crate) async fn read_frame_async(
    input: &mut (impl AsyncRead + Unpin),
) -> std::io::Result<(u8, Vec<u8>)> {
    let mut header = [0u8; 5];
    input.read_exact(&mut header).await?;
    let len = frame_len(&header)?;
    let mut payload = vec![0u8; len];
    input.read_exact(&mut payload).await?;
    Ok((header[0], payload))
}

fn frame_len(header: &[u8; 5]) -> std::io::Result<usize> {
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    if len > MAX_FRAME {
        return Err(std::io::Error::other(format!(
            "frame of {len} bytes exceeds limit"
        )));
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_clean_eof() {
        let mut buf = Vec::new();
        write_frame(&mut buf, PDF, b"%PDF-1.7").unwrap();
        let mut r = &buf[..];
        assert_eq!(
            read_frame(&mut r).unwrap(),
            Some((PDF, b"%PDF-1.7".to_vec()))
        );
        assert_eq!(read_frame(&mut r).unwrap(), None);
    }

    #[test]
    fn oversized_length_is_refused_without_allocating() {
        let mut r = &[PDF, 0xff, 0xff, 0xff, 0xff][..];
        assert!(read_frame(&mut r).is_err());
    }

    #[test]
    fn truncated_frame_is_an_error() {
        let mut r = &[PDF, 0, 0, 0, 9, b'x'][..];
        assert!(read_frame(&mut r).is_err());
    }
}
