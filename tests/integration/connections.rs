//! The connection layer against the real binary over raw TCP: the cap (idle connections make
//! room, busy ones do not, refusals are counted), the open-file limit under the cap, the
//! first-byte, head and keep-alive timeouts on both paths (hyper and the event-stream writer),
//! and the head size limit.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::eventually::eventually;
use super::raw;
use super::sse::SseClient;
use super::util::{Server, BIN};

/// The value of `series` in a `/metrics` text.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// Closed after about `limit`: not before it (less a little for the connect), and within a
/// margin for a busy machine.
fn about(took: Duration, limit: Duration) {
    // The server's clock starts before the test's (its write and a thread spawn come first),
    // and a loaded CI machine schedules late: generous margins both ways.
    let early = Duration::from_millis(250);
    assert!(
        took + early >= limit,
        "closed after {took:?}, before {limit:?}"
    );
    assert!(
        took <= limit + Duration::from_millis(3000),
        "closed after {took:?}, long after {limit:?}"
    );
}

#[test]
fn at_the_cap_idle_connections_make_room_and_healthz_answers() {
    let server = Server::start(&[("BETTAFISH_MAX_CONNECTIONS", "4")]);
    // Four silent sockets hold every slot, oldest first.
    let mut idle: Vec<TcpStream> = (0..4).map(|_| raw::connect(&server.base)).collect();
    let answer = raw::get(&server.base, "/healthz", "").expect("an answer at the cap");
    assert_eq!(answer.status(), 200, "{answer:?}");
    // The socket that waited the longest made room.
    raw::closed_within(&mut idle[0], Duration::from_secs(5));
    // However many silent sockets come, a health check gets in each time.
    for round in 0..10 {
        idle.push(raw::connect(&server.base));
        let answer = raw::get(&server.base, "/healthz", "").expect("an answer at the cap");
        assert_eq!(answer.status(), 200, "round {round}: {answer:?}");
    }
    let evicted = server
        .metric("bettafish_http_connections_closed_total{reason=\"evicted\"}")
        .unwrap_or(0.0);
    assert!(evicted >= 1.0, "evictions counted: {evicted}");
    let open = server
        .metric("bettafish_http_connections")
        .unwrap_or(f64::MAX);
    assert!(open <= 4.0, "never more than the cap open: {open}");
}

#[test]
fn at_the_cap_with_every_connection_busy_a_new_one_is_refused_and_counted() {
    let server = Server::start(&[("BETTAFISH_MAX_CONNECTIONS", "4")]);
    let streams: Vec<SseClient> = (0..4)
        .map(|_| SseClient::open(&server.base, "/api/events?topics=ext/cap", &[]))
        .collect();
    for stream in &streams {
        assert_eq!(stream.status(), 200);
    }
    // A fifth is closed at once, unanswered; the streams are untouched.
    let mut fifth = raw::connect(&server.base);
    let _ = fifth.write_all(
        format!(
            "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
            raw::address(&server.base)
        )
        .as_bytes(),
    );
    assert!(
        raw::read_answer(&mut fifth).is_none(),
        "refused without an answer"
    );
    // Freeing slots lets requests in again, and the refusal was counted.
    drop(streams);
    let metrics = eventually("a slot to be free", Duration::from_secs(10), || {
        raw::get(&server.base, "/metrics", "").filter(|a| a.status() == 200)
    });
    let refused = sample(&metrics.body, "bettafish_http_connections_refused_total");
    assert!(refused >= Some(1.0), "refusals counted: {refused:?}");
    assert!(sample(&metrics.body, "bettafish_http_connections") >= Some(1.0));
}

/// Starts the binary under `prlimit --nofile=SOFT:HARD`; the fixture has no wrapper.
struct Limited {
    child: std::process::Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Limited {
    fn start(nofile: &str, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("prlimit")
            .arg(format!("--nofile={nofile}"))
            .arg(BIN)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", "0")
            .env("BETTAFISH_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let base = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!(
                    "the server did not start:\n{}",
                    log.lock().unwrap().join("\n")
                );
            };
            let address = line
                .contains(" serving ")
                .then(|| line.split("address=").nth(1).map(|a| a.trim().to_owned()))
                .flatten();
            log.lock().unwrap().push(line);
            if let Some(address) = address {
                break format!("http://{address}");
            }
        };
        // Keep reading the log, so the server never blocks on a full pipe.
        let more = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                more.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            base,
            log,
            _dir: dir,
        }
    }
}

impl Drop for Limited {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_cap_fits_under_the_raised_file_limit_and_healthz_answers_past_it() {
    // Soft 100, hard 300: raised to 300, less the reserve of 100 → a cap of 200, not 10,000.
    let server = Limited::start(
        "100:300",
        &[
            ("BETTAFISH_MAX_CONNECTIONS", "10000"),
            ("BETTAFISH_FD_RESERVE", "100"),
        ],
    );
    let cap_line = eventually(
        "the connection cap's log line",
        Duration::from_secs(10),
        || {
            let log = server.log.lock().unwrap();
            log.iter()
                .find(|l| l.contains("connection cap") && l.contains("cap="))
                .cloned()
        },
    );
    assert!(cap_line.contains("cap=200"), "{cap_line}");
    // More silent sockets than the cap: the process never runs out of descriptors, and health
    // checks still get in.
    let idle: Vec<TcpStream> = (0..260).map(|_| raw::connect(&server.base)).collect();
    for _ in 0..5 {
        let answer = raw::get(&server.base, "/healthz", "").expect("healthz at the limit");
        assert_eq!(answer.status(), 200);
    }
    let metrics = raw::get(&server.base, "/metrics", "").unwrap().body;
    assert_eq!(
        sample(&metrics, "bettafish_http_accept_errors_total").unwrap_or(0.0),
        0.0,
        "the cap kept accept from failing"
    );
    drop(idle);
}

#[test]
fn silent_slow_and_idle_connections_are_closed_in_time_on_both_paths() {
    let ms = Duration::from_millis;
    let server = Server::start(&[
        ("BETTAFISH_FIRST_BYTE_TIMEOUT_MS", "300"),
        ("BETTAFISH_HEAD_TIMEOUT_MS", "600"),
        ("BETTAFISH_KEEPALIVE_TIMEOUT_MS", "1500"),
    ]);
    let address = raw::address(&server.base).to_owned();

    // Nothing sent.
    let mut silent = raw::connect(&server.base);
    about(raw::closed_within(&mut silent, ms(5000)), ms(300));

    // A head dripped a line every 100 ms never ends: closed 600 ms after its first byte, on
    // hyper's path and on the event-stream path alike.
    for request_line in [
        "GET /api/status HTTP/1.1\r\n",
        "GET /api/events?topics=ext/slow HTTP/1.1\r\n",
    ] {
        let mut slow = raw::connect(&server.base);
        slow.write_all(request_line.as_bytes()).unwrap();
        let mut drip = slow.try_clone().unwrap();
        let dripping = std::thread::spawn(move || {
            for _ in 0..50 {
                std::thread::sleep(ms(100));
                if drip.write_all(b"X-Slow: 1\r\n").is_err() {
                    break;
                }
            }
        });
        about(raw::closed_within(&mut slow, ms(5000)), ms(600));
        dripping.join().unwrap();
    }

    // Kept alive: requests closer together than the idle limit keep it open (the idle clock
    // restarts after each answer, it does not run from the connection's start)…
    let mut kept = raw::connect(&server.base);
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n");
    for _ in 0..5 {
        kept.write_all(request.as_bytes()).unwrap();
        let answer = raw::read_answer(&mut kept).expect("kept alive");
        assert_eq!(answer.status(), 200);
        std::thread::sleep(ms(300));
    }
    // …and it is closed once idle for longer.
    about(raw::closed_within(&mut kept, ms(5000)) + ms(300), ms(1500));

    for reason in ["first_byte_timeout", "head_timeout", "idle_timeout"] {
        let series = format!("bettafish_http_connections_closed_total{{reason=\"{reason}\"}}");
        let closed = server.metric(&series).unwrap_or(0.0);
        assert!(closed >= 1.0, "{series}: {closed}");
    }
}

#[test]
fn heads_over_the_configured_size_get_431_on_both_paths() {
    let server = Server::start(&[("BETTAFISH_MAX_HEAD_BYTES", "32768")]);
    let address = raw::address(&server.base).to_owned();
    let head = |path: &str, filler: usize| {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nX-Filler: {}\r\n\r\n",
            "a".repeat(filler)
        )
    };
    // Past the old fixed 16 KiB, within the configured 32 KiB: served.
    let fits = raw::exchange(&server.base, &head("/api/status", 20_000)).unwrap();
    assert_eq!(fits.status(), 200, "{}", fits.head);
    let mut stream = raw::connect(&server.base);
    stream
        .write_all(head("/api/events?topics=ext/big", 20_000).as_bytes())
        .unwrap();
    let fits = raw::read_answer_head(&mut stream).unwrap();
    assert!(fits.starts_with("HTTP/1.1 200 "), "{fits}");
    drop(stream);
    // Past it: 431, whichever path.
    for path in ["/api/status", "/api/events?topics=ext/big"] {
        let refused = raw::exchange(&server.base, &head(path, 40_000));
        let status = refused.as_ref().map(raw::Answer::status);
        assert_eq!(status, Some(431), "{path}: {refused:?}");
    }
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn out_of_descriptors_accept_backs_off_logs_little_and_recovers() {
    // A reserve too small for what the process holds besides connections (about 20 files):
    // accepting runs out of descriptors before the cap is reached.
    let server = Limited::start(
        "64:64",
        &[
            ("BETTAFISH_FD_RESERVE", "16"),
            ("BETTAFISH_FIRST_BYTE_TIMEOUT_MS", "2000"),
        ],
    );
    let began = std::time::Instant::now();
    let idle: Vec<TcpStream> = (0..60).map(|_| raw::connect(&server.base)).collect();
    // The silent sockets time out, descriptors come back, and the listener serves again on
    // its own — while this test still holds every socket it opened.
    let metrics = eventually(
        "the listener to serve again",
        Duration::from_secs(20),
        || raw::get(&server.base, "/metrics", "").filter(|a| a.status() == 200),
    );
    let failed = sample(&metrics.body, "bettafish_http_accept_errors_total").unwrap_or(0.0);
    assert!(failed >= 1.0, "accept ran out of descriptors: {failed}");
    // One log line per second of backoff at most, however many accepts failed.
    let lines = server
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("accept failed"))
        .count();
    let most = began.elapsed().as_secs() as usize + 1;
    assert!(
        (1..=most).contains(&lines),
        "{lines} lines for {failed} failures"
    );
    drop(idle);
}

/// A WebSocket upgrade without `Origin` (a non-browser client).
fn upgrade_request(address: &str) -> String {
    format!(
        "GET /ws HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
}

#[test]
fn websockets_keep_their_slots_for_as_long_as_they_are_open() {
    let server = Server::start(&[("BETTAFISH_MAX_CONNECTIONS", "4")]);
    let address = raw::address(&server.base).to_owned();
    let mut sockets: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut socket = raw::connect(&server.base);
            socket
                .write_all(upgrade_request(&address).as_bytes())
                .unwrap();
            let answer = raw::read_answer_head(&mut socket).expect("upgraded");
            assert!(answer.starts_with("HTTP/1.1 101 "), "{answer}");
            socket
        })
        .collect();
    // Four WebSockets fill a cap of four: a new connection is refused, not served, and none
    // of them is evicted for it.
    let mut fifth = raw::connect(&server.base);
    let _ = fifth.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes());
    assert!(
        raw::read_answer(&mut fifth).is_none(),
        "refused while four WebSockets are open"
    );
    for socket in &mut sockets {
        // A ping frame (masked, empty) is answered with a pong: the session is alive.
        socket.write_all(&[0x89, 0x80, 1, 2, 3, 4]).unwrap();
        let mut pong = [0u8; 2];
        std::io::Read::read_exact(socket, &mut pong).unwrap();
        assert_eq!(pong[0], 0x8a, "a pong");
    }
    // Closing one gives its slot back.
    sockets.pop();
    let metrics = eventually("a slot to be free", Duration::from_secs(10), || {
        raw::get(&server.base, "/metrics", "").filter(|a| a.status() == 200)
    });
    // The three WebSockets and the request for the metrics themselves.
    assert_eq!(
        sample(&metrics.body, "bettafish_http_connections"),
        Some(4.0),
        "the gauge counts WebSockets"
    );
    assert!(sample(&metrics.body, "bettafish_http_connections_refused_total") >= Some(1.0));
}

/// A connection whose receive buffer is small, so that a big answer stays mostly on the
/// server's side until it is read.
fn connect_with_small_window(base: &str) -> TcpStream {
    use std::os::fd::FromRawFd;
    let address: std::net::SocketAddrV4 = raw::address(base).parse().unwrap();
    let size: libc::c_int = 4096;
    let ip = libc::in_addr {
        s_addr: u32::from(*address.ip()).to_be(),
    };
    let sockaddr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: address.port().to_be(),
        sin_addr: ip,
        sin_zero: [0; 8],
    };
    // SAFETY: plain socket calls on a descriptor this function owns, with pointers to locals
    // that outlive the calls; the descriptor is handed to TcpStream, which closes it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let set = libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
        assert_eq!(set, 0);
        let connected = libc::connect(
            fd,
            (&sockaddr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        );
        assert_eq!(connected, 0, "{}", std::io::Error::last_os_error());
        let stream = TcpStream::from_raw_fd(fd);
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
    }
}

#[test]
fn a_big_answer_read_slowly_is_sent_whole_however_short_the_idle_timeout() {
    let server = Server::start(&[
        ("BETTAFISH_KEEPALIVE_TIMEOUT_MS", "200"),
        ("FORUM_LOG_PAGE_MAX_LINES", "10000"),
        ("FORUM_LOG_PAGE_MAX_BYTES", "67108864"),
    ]);
    // A forum log of about 6 MB: its page is an answer far larger than the sockets' buffers.
    let line = "x".repeat(1_500);
    let log: String = (0..4_000)
        .map(|i| format!("[10:00:00] [INSIGHT] [1a2b3c4d] {i} {line}\n"))
        .collect();
    std::fs::write(server.path().join("data/forum.log"), log).unwrap();
    let mut slow = connect_with_small_window(&server.base);
    slow.write_all(
        format!(
            "GET /api/forum/log?limit=4000 HTTP/1.1\r\nHost: {}\r\n\r\n",
            raw::address(&server.base)
        )
        .as_bytes(),
    )
    .unwrap();
    // The client takes its time: several idle timeouts pass while the answer is being sent.
    std::thread::sleep(Duration::from_millis(1_000));
    let answer = raw::read_answer(&mut slow).expect("the whole answer");
    assert_eq!(answer.status(), 200, "{}", answer.head);
    assert!(answer.body.len() > 6_000_000, "{} bytes", answer.body.len());
    assert_eq!(answer.json()["log_lines"].as_array().unwrap().len(), 4_000);
    // Sent (the kernel holds the last of it, which is when it counts as sent), the connection
    // is idle: now the timeout applies.
    raw::closed_within(&mut slow, Duration::from_secs(5));
}

#[test]
fn a_body_that_trickles_gets_408_and_gives_way_at_the_cap() {
    let ms = Duration::from_millis;
    let server = Server::start(&[
        ("BETTAFISH_BODY_TIMEOUT_MS", "600"),
        ("BETTAFISH_MAX_CONNECTIONS", "3"),
    ]);
    let address = raw::address(&server.base).to_owned();
    let slow_post = || {
        let mut stream = raw::connect(&server.base);
        stream
            .write_all(
                format!(
                    "POST /api/events/ext/slow HTTP/1.1\r\nHost: {address}\r\n\
                     Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
                     Content-Length: 100\r\n\r\n{{\"data\":",
                    server.token
                )
                .as_bytes(),
            )
            .unwrap();
        stream
    };
    // One byte every 100 ms never ends the body: 408 at the limit, and the connection closes.
    let mut slow = slow_post();
    let mut drip = slow.try_clone().unwrap();
    let dripping = std::thread::spawn(move || {
        for _ in 0..30 {
            std::thread::sleep(ms(100));
            if drip.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let began = std::time::Instant::now();
    let answer = raw::read_answer(&mut slow).expect("an answer");
    about(began.elapsed(), ms(600));
    assert_eq!(answer.status(), 408, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "body_timeout");
    assert_eq!(answer.header("connection"), Some("close"));
    raw::closed_within(&mut slow, Duration::from_secs(5));
    dripping.join().unwrap();

    // Three bodies in progress hold every slot: a health check still gets in.
    let held: Vec<TcpStream> = (0..3).map(|_| slow_post()).collect();
    let answer = raw::get(&server.base, "/healthz", "").expect("an answer at the cap");
    assert_eq!(answer.status(), 200, "{answer:?}");
    drop(held);
}
