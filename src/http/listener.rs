//! The accept loop and each connection's life: a place in the connection table
//! ([`super::connections`]), the first byte, then hyper or the event-stream writer, all under a
//! watchdog that closes the connection when its phase's deadline passes or the table evicts it.
//!
//! Our own loop rather than `warp::serve`:
//! - every connection gets `TCP_NODELAY`: without it, an event written while the previous one is
//!   unacknowledged waits for the client's delayed ACK (up to 40 ms on Linux) — fatal for live
//!   streams;
//! - event-stream requests, recognised from their first bytes, go to [`super::streams`];
//! - the connection cap, the timeouts and the peer address need the socket.
//!
//! The connection's [`Slot`] is owned by the socket's wrapper ([`Watched`]): hyper hands that
//! wrapper to an upgrade, so a WebSocket keeps its place in the table (and in the gauge) for as
//! long as its session holds the socket, not just until hyper's part of the connection ends.
//!
//! What hyper's own `header_read_timeout` covers (hyper 1.x, `proto/h1/conn.rs`
//! `poll_read_head`): its timer starts whenever hyper begins waiting for a request head — at
//! the start, and again as soon as a kept-alive connection has finished a response — and stops
//! when a head is parsed. So it is one window for "idle, then the head", and it needs a timer
//! (none is set by default, so it never fired). The service wants three limits: the first byte,
//! the idle time between requests, and the head from its first byte. They are tracked here:
//! the socket wrapper ([`Watched`]) sees bytes arrive and the socket take what was written, the
//! service wrapper sees a request begin and its response body handed over ([`Tracked`]), and
//! the dispatcher's body stream ([`BodyStream`]) sees the request body end. A response counts
//! as sent only once hyper has flushed it to the socket (it flushes when its write buffer is
//! empty): a slow client downloading a big answer is busy, not idle. hyper's timeout stays on
//! as a backstop, longer than ours.
//!
//! Accept errors (out of file descriptors, mostly) back off, growing to a second, and log at
//! most one line per second: the listener is never dropped. At start the soft limit of open
//! files is raised to the hard one, and the connection cap is kept under it with a reserve for
//! the database, Redis and the logs, so that accepting is what stops first, not everything else.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use warp::http::{Request, Response, StatusCode};

use super::connections::{Connections, Slot, Tracker};
use super::streams;
use super::Dispatch;
use crate::config::ConnectionSettings;
use crate::internal_events::{AcceptFailed, ConnectionRefused};

/// What serves each connection's requests (warp behind hyper): its bounds, named once for the
/// accept loop and each connection.
pub trait ConnectionService:
    hyper::service::Service<
        Request<hyper::body::Incoming>,
        Response = warp::reply::Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S> ConnectionService for S where
    S: hyper::service::Service<
            Request<hyper::body::Incoming>,
            Response = warp::reply::Response,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// What the dispatcher learns of a request from its connection (warp cannot see the socket
/// behind our accept loop, so `warp::addr::remote()` is None): carried as a request extension.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The client's address.
    pub remote: SocketAddr,
    /// Whether the request is HTTP/1.1 (else 1.0).
    pub http11: bool,
    /// The connection's tracker, told when the request's body has been read.
    pub tracker: Tracker,
}

/// A request body as the dispatcher reads it: when it is dropped (read to its end, or given
/// up on), the connection is no longer waiting for the body.
pub struct BodyStream<S> {
    inner: S,
    tracker: Option<Tracker>,
}

impl<S> BodyStream<S> {
    pub fn new(inner: S, tracker: Option<Tracker>) -> Self {
        Self { inner, tracker }
    }
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for BodyStream<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

impl<S> Drop for BodyStream<S> {
    fn drop(&mut self) {
        if let Some(tracker) = &self.tracker {
            tracker.body_done();
        }
    }
}

/// The first wait after a failed accept, and the longest.
const BACKOFF_FIRST: Duration = Duration::from_millis(5);
const BACKOFF_MOST: Duration = Duration::from_secs(1);

/// Accepts connections until `shutdown`, then lets open ones finish (the caller bounds that
/// with its deadline).
pub async fn accept_loop<S>(
    listener: tokio::net::TcpListener,
    service: S,
    dispatch: Arc<Dispatch>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) where
    S: ConnectionService,
{
    let settings = dispatch.app.config().connections;
    let connections = Connections::new(connection_cap(&settings), settings);
    tracing::info!(cap = connections.cap(), "connection cap");
    // Shutdown fans out on a watch channel; every connection task holds a clone of `done`,
    // so `recv` returns None once the last one has finished (mini-redis's drain pattern).
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let (done, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = Backoff::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => {
                backoff.reset();
                accepted
            }
            Err(error) => {
                let wait = backoff.failed(&error);
                tokio::select! {
                    () = tokio::time::sleep(wait) => continue,
                    () = &mut shutdown => break,
                }
            }
        };
        let Some(slot) = connections.admit() else {
            // Every open connection is busy: close this one at once (dropping it).
            ConnectionRefused.emit();
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            stream,
            remote,
            slot,
            dispatch: Arc::clone(&dispatch),
            stopping: stopping.clone(),
            settings,
        };
        let service = service.clone();
        let done = done.clone();
        tokio::spawn(async move {
            connection.serve(service).await;
            drop(done);
        });
    }
    stop.send_replace(true);
    drop(done);
    let _ = all_done.recv().await;
}

/// The connection cap: the configured one, kept under the open-file limit (raised to its hard
/// limit first) less the reserve.
fn connection_cap(settings: &ConnectionSettings) -> usize {
    let configured = settings.max_connections;
    let Some(files) = raise_fd_limit() else {
        return configured;
    };
    let files = usize::try_from(files).unwrap_or(usize::MAX);
    let budget = if files > settings.fd_reserve {
        files - settings.fd_reserve
    } else {
        // A limit below the reserve: still serve, with half of it.
        tracing::warn!(
            fd_limit = files,
            reserve = settings.fd_reserve,
            "the open-file limit is below BETTAFISH_FD_RESERVE"
        );
        files / 2
    };
    let cap = configured.min(budget).max(1);
    if cap < configured {
        tracing::info!(
            configured,
            cap,
            fd_limit = files,
            "connection cap lowered to fit the open-file limit"
        );
    }
    cap
}

/// Raises the soft limit of open files to the hard one where allowed; the soft limit now.
fn raise_fd_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given, which lives on this stack frame.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is given. It fails (and changes nothing)
        // where the hard limit is beyond what the kernel allows (RLIM_INFINITY on Linux).
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    Some(limit.rlim_cur)
}

/// The accept loop's pause after failures: growing to a second, logged at most once a second.
#[derive(Debug, Default)]
struct Backoff {
    wait: Option<Duration>,
    last_logged: Option<Instant>,
    suppressed: u64,
}

impl Backoff {
    fn reset(&mut self) {
        self.wait = None;
    }

    /// Counts a failure; how long to wait before accepting again.
    fn failed(&mut self, error: &std::io::Error) -> Duration {
        let wait = self
            .wait
            .map_or(BACKOFF_FIRST, |w| (w * 2).min(BACKOFF_MOST));
        self.wait = Some(wait);
        let log = self
            .last_logged
            .is_none_or(|at| at.elapsed() >= BACKOFF_MOST);
        AcceptFailed {
            error,
            log,
            suppressed: self.suppressed,
            backoff: wait,
        }
        .emit();
        if log {
            self.last_logged = Some(Instant::now());
            self.suppressed = 0;
        } else {
            self.suppressed += 1;
        }
        wait
    }
}

/// One accepted connection, before it is served.
struct Connection {
    stream: TcpStream,
    remote: SocketAddr,
    slot: Slot,
    dispatch: Arc<Dispatch>,
    stopping: tokio::sync::watch::Receiver<bool>,
    settings: ConnectionSettings,
}

impl Connection {
    /// Serves the connection until it ends, the watchdog closes it, or shutdown.
    async fn serve<S>(self, service: S)
    where
        S: ConnectionService,
    {
        let Connection {
            stream,
            remote,
            slot,
            dispatch,
            mut stopping,
            settings,
        } = self;
        let slot = Arc::new(slot);
        let tracker = slot.tracker();
        let mut probe = [0u8; streams::PROBE];
        let peeked = tokio::select! {
            peeked = stream.peek(&mut probe) => peeked.unwrap_or(0),
            _ = slot.expired() => 0,
            _ = stopping.wait_for(|&s| s) => 0,
        };
        if peeked == 0 {
            return;
        }
        tracker.bytes_arrived();
        if streams::is_stream_request(&probe[..peeked]) {
            tokio::select! {
                () = streams::serve(stream, remote, &dispatch, &tracker) => {}
                _ = slot.expired() => {}
            }
            return;
        }
        // HTTP/1.1 only (what browsers and proxies speak to us; nginx terminates HTTP/2),
        // with vectored writes so no per-connection flattening buffer is kept.
        let backstop =
            settings.first_byte_timeout.max(settings.keepalive_timeout) + settings.head_timeout;
        let service = PerConnection {
            inner: service,
            remote,
            tracker: tracker.clone(),
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .writev(true)
            .timer(TokioTimer::new())
            .header_read_timeout(backstop)
            // The read buffer stops growing at the limit, and a head that arrived whole in
            // fewer reads is measured too: either way, 431.
            .max_buf_size(settings.max_head_bytes.max(8192))
            .max_header_size(settings.max_head_bytes);
        let connection = builder
            .serve_connection(
                TokioIo::new(Watched {
                    stream,
                    tracker,
                    _slot: Arc::clone(&slot),
                }),
                service,
            )
            .with_upgrades();
        let mut connection = std::pin::pin!(connection);
        let finished = tokio::select! {
            // A client that goes away mid-request is routine, not worth a log line.
            _ = connection.as_mut() => true,
            _ = slot.expired() => true,
            _ = async { stopping.wait_for(|&s| s).await.is_ok() } => false,
        };
        if !finished {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// The service of one connection: tells the request its peer, and the tracker when a request
/// begins and its response ends.
#[derive(Clone)]
struct PerConnection<S> {
    inner: S,
    remote: SocketAddr,
    tracker: Tracker,
}

impl<S, B> hyper::service::Service<Request<hyper::body::Incoming>> for PerConnection<S>
where
    S: hyper::service::Service<
            Request<hyper::body::Incoming>,
            Response = Response<B>,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Tracked<B>>;
    type Error = std::convert::Infallible;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn call(&self, mut request: Request<hyper::body::Incoming>) -> Self::Future {
        use http_body::Body as _;
        self.tracker.request_began(!request.body().is_end_stream());
        let peer = Peer {
            remote: self.remote,
            http11: request.version() == warp::http::Version::HTTP_11,
            tracker: self.tracker.clone(),
        };
        request.extensions_mut().insert(peer);
        let answer = self.inner.call(request);
        let tracker = self.tracker.clone();
        Box::pin(async move {
            let response = answer.await?;
            if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                tracker.hold();
            }
            Ok(response.map(|body| Tracked { body, tracker }))
        })
    }
}

/// A response body that tells the tracker when hyper is done with it (dropped: handed over
/// whole, or the connection is gone). The connection starts waiting again only once the socket
/// has taken it ([`Watched`]'s flush): hyper drops a body as soon as it has queued its last
/// bytes, which for a big answer to a slow reader is long before they are sent.
pub struct Tracked<B> {
    body: B,
    tracker: Tracker,
}

impl<B: http_body::Body + Unpin> http_body::Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl<B> Drop for Tracked<B> {
    fn drop(&mut self) {
        self.tracker.response_queued();
    }
}

/// The socket under hyper (and, after an upgrade, under the WebSocket session): bytes arriving
/// on a waiting connection start its head's clock; a flush that completes ends a response. It
/// owns the connection's place in the table, which is given back when the socket closes.
struct Watched {
    stream: TcpStream,
    tracker: Tracker,
    _slot: Arc<Slot>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.tracker.bytes_arrived();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // hyper flushes the socket once its own write buffer is empty: everything written so
        // far is in the kernel's hands.
        let flushed = Pin::new(&mut self.stream).poll_flush(cx);
        if matches!(flushed, Poll::Ready(Ok(()))) {
            self.tracker.flushed();
        }
        flushed
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    //! The accept backoff; the connection's life is tested end to end in
    //! tests/integration/connections.rs.
    use super::*;

    #[test]
    fn backoff_grows_to_a_second_and_resets() {
        let mut backoff = Backoff::default();
        let error = std::io::Error::other("too many open files");
        let waits: Vec<Duration> = (0..12).map(|_| backoff.failed(&error)).collect();
        assert_eq!(waits[0], BACKOFF_FIRST);
        assert_eq!(waits[1], BACKOFF_FIRST * 2);
        assert_eq!(*waits.last().unwrap(), BACKOFF_MOST);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        // One line logged for the whole burst (all within a second).
        assert_eq!(backoff.suppressed, 11);
        backoff.reset();
        assert_eq!(backoff.failed(&error), BACKOFF_FIRST);
    }

    #[test]
    fn the_fd_limit_is_raised_and_the_cap_fits_under_it() {
        let files = raise_fd_limit().unwrap();
        let settings = ConnectionSettings {
            max_connections: usize::MAX,
            fd_reserve: 100,
            first_byte_timeout: Duration::from_secs(1),
            head_timeout: Duration::from_secs(1),
            keepalive_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            max_head_bytes: 8192,
        };
        let cap = connection_cap(&settings);
        assert!(
            cap as u64 <= files.saturating_sub(100).max(files / 2),
            "{cap} of {files}"
        );
        let small = ConnectionSettings {
            max_connections: 4,
            ..settings
        };
        assert_eq!(connection_cap(&small), 4);
    }
}
