//! A small SMTP server that keeps what it receives: the mail tests and the benchmark send to it
//! over loopback, as they would to a real relay. It speaks enough SMTP for any client (EHLO,
//! MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT). It can be stopped and started again
//! on the same port (a relay that is down), and it can hold its reply to DATA: a held message is
//! accepted only when released, and is dropped if the client goes away first, as a real relay
//! drops a message it never said `250` to.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// One accepted message.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    /// When the sink accepted it.
    pub at: std::time::Instant,
}

impl Received {
    /// An unfolded header's value (the first one of that name).
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.data);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let mut lines: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = lines.last_mut() {
                    last.push_str(line.trim_start());
                }
            } else {
                lines.push(line.to_string());
            }
        }
        lines.into_iter().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    pub fn message_id(&self) -> Option<String> {
        self.header("Message-ID")
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    /// Hold every DATA reply once this many messages are accepted.
    hold_after: Mutex<Option<usize>>,
    held: Mutex<usize>,
    changed: Notify,
    release: Notify,
}

/// A running sink; its port stays the same across [`SmtpSink::stop`] and [`SmtpSink::start`].
pub struct SmtpSink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    stop: Option<watch::Sender<bool>>,
}

impl SmtpSink {
    /// Starts on a free loopback port.
    pub async fn start() -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut sink = SmtpSink {
            addr,
            shared: Arc::new(Shared::default()),
            task: None,
            stop: None,
        };
        sink.serve(listener);
        Ok(sink)
    }

    /// A sink for a port that is not listening yet: mail sent to it fails until [`Self::resume`].
    pub async fn down() -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        drop(listener);
        Ok(SmtpSink {
            addr,
            shared: Arc::new(Shared::default()),
            task: None,
            stop: None,
        })
    }

    fn serve(&mut self, listener: TcpListener) {
        let (tx, rx) = watch::channel(false);
        let shared = self.shared.clone();
        self.stop = Some(tx);
        self.task = Some(tokio::spawn(accept_loop(listener, shared, rx)));
    }

    /// Listens again on the same port.
    pub async fn resume(&mut self) -> std::io::Result<()> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(self.addr)?;
        let listener = socket.listen(128)?;
        self.serve(listener);
        Ok(())
    }

    /// Stops listening and drops every open connection.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// Waits until at least `n` messages are accepted, or `within` passes; returns the count.
    pub async fn wait_for(&self, n: usize, within: std::time::Duration) -> usize {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.shared.changed.notified();
            let count = self.count();
            if count >= n {
                return count;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.count();
            }
        }
    }

    /// From now on, once `n` messages are accepted, DATA replies wait for [`Self::release`].
    pub fn hold_after(&self, n: usize) {
        if let Ok(mut h) = self.shared.hold_after.lock() {
            *h = Some(n);
        }
    }

    /// Waits until a message is being held, or `within` passes; returns whether one is.
    pub async fn wait_held(&self, within: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.shared.changed.notified();
            if self.shared.held.lock().map(|h| *h > 0).unwrap_or(false) {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return false;
            }
        }
    }

    /// Accepts held messages (whose clients are still there) and stops holding.
    pub fn release(&self) {
        if let Ok(mut h) = self.shared.hold_after.lock() {
            *h = None;
        }
        self.shared.release.notify_waiters();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    conns.spawn(session(stream, shared.clone()));
                }
            }
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

fn must_hold(shared: &Shared) -> bool {
    let accepted = shared.received.lock().map(|r| r.len()).unwrap_or(0);
    shared
        .hold_after
        .lock()
        .map(|h| h.is_some_and(|n| accepted >= n))
        .unwrap_or(false)
}

async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write
        .write_all(b"220 academy-sink ESMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-academy-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n"
        } else if upper.starts_with("HELO") {
            b"250 academy-sink\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&cmd[10..]);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&cmd[8..]));
            b"250 OK\r\n"
        } else if upper == "DATA" {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let Some(data) = read_data(&mut reader).await else {
                return;
            };
            if must_hold(&shared) {
                let released = shared.release.notified();
                tokio::pin!(released);
                released.as_mut().enable();
                if let Ok(mut h) = shared.held.lock() {
                    *h += 1;
                }
                shared.changed.notify_waiters();
                // Wait for release; a client that goes away first never gets its 250, so the
                // message is not accepted.
                let mut probe = [0u8; 1];
                let gone = tokio::select! {
                    _ = released => false,
                    r = reader.read(&mut probe) => !matches!(r, Ok(n) if n > 0),
                };
                if let Ok(mut h) = shared.held.lock() {
                    *h -= 1;
                }
                if gone {
                    return;
                }
            }
            if let Ok(mut r) = shared.received.lock() {
                r.push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                    at: std::time::Instant::now(),
                });
            }
            shared.changed.notify_waiters();
            b"250 OK accepted\r\n"
        } else if upper == "RSET" {
            to.clear();
            b"250 OK\r\n"
        } else if upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if b > a => arg[a + 1..b].to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}

/// Reads a DATA body up to the lone dot, undoing dot-stuffing.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).await.ok()?;
        if n == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        let start = usize::from(line.starts_with(b".."));
        data.extend_from_slice(&line[start..]);
    }
}
