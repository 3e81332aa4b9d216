//! Logging: tracing to stderr, `pretty` or `json` (one object per line), level
//! by `RUST_LOG`. Whatever a library logs, the token never reaches the output:
//! every line passes through a writer that replaces it with `<redacted>`.

use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// The default filter when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,serenity=warn,tracing::span=warn,sqlx=warn";

/// A writer that redacts secrets before the bytes leave the process.
#[derive(Clone)]
pub struct Redacting<W> {
    inner: W,
    secrets: Arc<Vec<String>>,
}

impl<W> Redacting<W> {
    /// Redacts each non-empty secret in everything written to `inner`.
    pub fn new(inner: W, secrets: Vec<String>) -> Self {
        let secrets = secrets.into_iter().filter(|s| s.len() >= 8).collect();
        Self { inner, secrets: Arc::new(secrets) }
    }
}

/// One write of a [`Redacting`] writer: buffers, redacts, then writes.
pub struct RedactingWriter<W: Write> {
    inner: W,
    secrets: Arc<Vec<String>>,
    buf: Vec<u8>,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return self.inner.flush();
        }
        let mut text = String::from_utf8_lossy(&self.buf).into_owned();
        for s in self.secrets.iter() {
            if text.contains(s.as_str()) {
                text = text.replace(s.as_str(), "<redacted>");
            }
        }
        self.buf.clear();
        self.inner.write_all(text.as_bytes())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { inner: self.inner.make_writer(), secrets: self.secrets.clone(), buf: Vec::new() }
    }
}

/// `text` with the token replaced, for the few lines written outside tracing.
pub fn redact(config: &Config, text: &str) -> String {
    match config.token.as_ref().map(super::config::Token::expose).filter(|t| t.len() >= 8) {
        Some(token) => text.replace(token, "<redacted>"),
        None => text.to_string(),
    }
}

/// Installs the global subscriber for `config` (once; later calls are no-ops).
/// A panic is logged through it too, so that it is redacted and, in `json`
/// format, one JSON object like every other line.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let secrets: Vec<String> = config.token.iter().map(|t| t.expose().to_string()).collect();
    let writer = Redacting::new(io::stderr, secrets);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    let result = match config.log.format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    if result.is_ok() {
        std::panic::set_hook(Box::new(|info| {
            let backtrace = std::backtrace::Backtrace::capture();
            if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
                tracing::error!(panic = %info, backtrace = %backtrace, "panicked");
            } else {
                tracing::error!(panic = %info, "panicked");
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_token_is_replaced_in_everything_written() {
        let sink = Sink::default();
        let make = Redacting::new(move || sink.clone(), vec!["MTIz.secret.token".into()]);
        {
            let mut w = make.make_writer();
            w.write_all(b"identify with MTIz.secret.token now; again MTIz.secret.token\n").unwrap();
        }
        let out = String::from_utf8(make.inner.make_writer().0.lock().unwrap().clone()).unwrap();
        assert_eq!(out, "identify with <redacted> now; again <redacted>\n");
    }
}
