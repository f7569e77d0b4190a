//! A real SMTP server in the test process (mailin-embedded), keeping every message it accepts.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mailin_embedded::response::{Response, OK};
use mailin_embedded::{Handler, Server};

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

#[derive(Clone)]
pub struct SmtpSink {
    port: u16,
    pub messages: Arc<Mutex<Vec<Received>>>,
}

#[derive(Clone)]
struct Collector {
    messages: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.messages.lock().expect("lock").push(Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        });
        OK
    }
}

impl SmtpSink {
    /// A listening server.
    pub fn start() -> Self {
        let sink = Self::reserve();
        sink.start_on_port();
        sink
    }

    /// A free port with nothing listening yet: connections are refused until `start_on_port`.
    pub fn reserve() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        Self {
            port,
            messages: Arc::default(),
        }
    }

    pub fn start_on_port(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("SMTP port still free");
        let mut server = Server::new(Collector {
            messages: self.messages.clone(),
            to: Vec::new(),
            data: Vec::new(),
        });
        server.with_name("smtp.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().expect("lock").clone()
    }
}
