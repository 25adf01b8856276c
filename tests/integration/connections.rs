//! The HTTP server's connection limits, driven by raw sockets: a client dribbling its headers
//! is cut off with 408 while everyone else is served, an idle connection is closed, an
//! oversized head is answered 431, and past the connection limit new connections wait.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::{sleep, timeout},
};

use crate::helpers::{Backend, Options, TestApp};

fn limits(
    request_timeout: u64,
    keep_alive: u64,
    max_connections: usize,
) -> user_auth::config::HttpLimits {
    user_auth::config::HttpLimits {
        request_timeout: Duration::from_secs(request_timeout),
        keep_alive: Duration::from_secs(keep_alive),
        max_connections,
        ..Default::default()
    }
}

async fn spawn(http: user_auth::config::HttpLimits) -> TestApp {
    let options = Options {
        http,
        ..Options::default()
    };
    TestApp::spawn_with(Backend::Sqlite, options)
        .await
        .expect("SQLite always runs")
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Everything the server sends until it closes the connection (or `within` passes: then
/// `None`).
async fn read_to_close(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    match timeout(within, stream.read_to_end(&mut answer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

#[actix_web::test]
async fn clients_dribbling_their_headers_get_408_while_everyone_else_is_served() {
    let app = spawn(limits(1, 5, 10_000)).await;
    let addr = host(&app);
    // 64 clients each send a request line, then one byte of header every 100 ms: at that
    // pace their heads would take 20 s
    let mut dribblers = Vec::new();
    for _ in 0..64 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let (mut read, mut write) = stream.into_split();
        let dribbling = tokio::spawn(async move {
            for _ in 0..200 {
                if write.write_all(b"a").await.is_err() {
                    return;
                }
                sleep(Duration::from_millis(100)).await;
            }
        });
        dribblers.push(tokio::spawn(async move {
            let mut answer = Vec::new();
            let read = timeout(Duration::from_secs(10), read.read_to_end(&mut answer)).await;
            dribbling.abort();
            read.map(|_| String::from_utf8_lossy(&answer).into_owned())
        }));
    }
    // while they dribble, people are served
    for _ in 0..5 {
        let res = app.get("/login").await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // and each of them is answered 408 and cut off long before its head would have arrived
    for dribbler in dribblers {
        let answer = dribbler
            .await
            .unwrap()
            .expect("a dribbling client is cut off");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    }
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn an_idle_connection_is_closed_after_the_keep_alive() {
    let app = spawn(limits(5, 1, 10_000)).await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // the answer, then nothing: the server closes the idle connection after a second
    let answer = read_to_close(&mut stream, Duration::from_secs(10))
        .await
        .expect("the idle connection is closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
}

#[actix_web::test]
async fn an_oversized_head_is_answered_431_and_nothing_breaks() {
    let app = spawn(limits(5, 5, 10_000)).await;
    let huge = format!(
        "GET /login HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let many = format!(
        "GET /login HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..120)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    for head in [huge, many] {
        let mut stream = TcpStream::connect(host(&app)).await.unwrap();
        // the server may close before it has read everything: what it answered is what counts
        let _ = stream.write_all(head.as_bytes()).await;
        let answer = read_to_close(&mut stream, Duration::from_secs(10))
            .await
            .expect("an answer, then the connection closes");
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
    }
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn past_the_connection_limit_new_connections_wait_until_one_ends() {
    // two workers at most two connections each (the test machine's workers: at most 4 here)
    let app = spawn(limits(2, 5, 2)).await;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut idle = Vec::new();
    for _ in 0..2 * workers {
        idle.push(TcpStream::connect(host(&app)).await.unwrap());
    }
    // (the listen queue still takes the connection; the server does not read it yet)
    sleep(Duration::from_millis(300)).await;
    let mut waiting = TcpStream::connect(host(&app)).await.unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(
        read_to_close(&mut waiting, Duration::from_millis(800))
            .await
            .is_none(),
        "served past the limit"
    );
    // the idle connections send nothing and are cut after the request timeout (2 s): then the
    // waiting one is served
    let answer = read_to_close(&mut waiting, Duration::from_secs(10))
        .await
        .expect("served once a place is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    drop(idle);
}
