//! The REST server: records every request, applies injected faults and Discord's global limit,
//! then hands the request to [`super::routes`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::routes::{self, Reply};
use super::state::{Block, Fault, RecordedRequest, Shared, Violation};
use super::validate::Problem;

/// Serves the REST API on `listener` until the task is aborted.
pub(crate) async fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let app = Router::new().fallback(handle).with_state(shared);
    if let Err(e) =
        axum::serve(axum::serve::ListenerExt::tap_io(listener, |tcp| drop(tcp.set_nodelay(true))), app).await
    {
        eprintln!("simulator REST server stopped: {e}");
    }
}

/// A parsed request.
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub body: Option<Value>,
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let at = Instant::now();
    let raw_path = uri.path();
    let path = raw_path.strip_prefix("/api/v10").unwrap_or(raw_path).to_owned();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let multipart = content_type.starts_with("multipart/form-data");
    let parsed = parse_body(content_type, &bytes);
    let req = Incoming {
        method: method.as_str().to_owned(),
        path,
        query: uri.query().map(str::to_owned),
        body: parsed.clone().ok().flatten(),
    };

    let (reply, retry) = if !raw_path.starts_with("/api/v10/") {
        (Reply::error(404, 0, "404: Not Found", "SIM_NOT_API_V10", format!("{raw_path} is not under /api/v10")), None)
    } else if let Err(msg) = parsed {
        (Reply::error(400, 50109, "The request body contains invalid JSON.", "SIM_BAD_BODY", msg), None)
    } else if needs_auth(&req.path)
        && !headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|a| a.starts_with("Bot "))
    {
        (Reply::error(401, 0, "401: Unauthorized", "SIM_NO_AUTH", "missing `Authorization: Bot <token>`"), None)
    } else {
        match gatekeep(&shared, &req, at).await {
            Some(limited) => limited,
            None => (routes::route(&shared, &req), None),
        }
    };
    let bucket = message_channel(&req).and_then(|channel| channel_bucket(&shared, channel, at));
    record(&shared, req, multipart, at, &reply);
    respond(reply, retry, bucket)
}

/// The channel of `POST /channels/{id}/messages`, the route with a per-channel bucket.
fn message_channel(req: &Incoming) -> Option<u64> {
    if req.method != "POST" {
        return None;
    }
    req.path.strip_prefix("/channels/")?.strip_suffix("/messages")?.parse().ok()
}

/// What the channel's bucket says now: (remaining, seconds to reset).
fn channel_bucket(shared: &Shared, channel: u64, at: Instant) -> Option<(u32, f64)> {
    let (limit, window) = shared.config.channel_rate_limit?;
    shared.read(|s| {
        let (start, used) = s.channel_windows.get(&channel).copied()?;
        let ends = start + window;
        (ends > at).then(|| (limit.saturating_sub(used) as u32, (ends - at).as_secs_f64()))
    })
}

/// Interaction callbacks and webhook calls carry their token in the path, not in a header.
fn needs_auth(path: &str) -> bool {
    !(path.starts_with("/interactions/") || path.starts_with("/webhooks/"))
}

/// Injected faults, open rate-limit windows and the global limit; `Some` short-circuits the route.
async fn gatekeep(shared: &Shared, req: &Incoming, at: Instant) -> Option<(Reply, Option<(f64, bool)>)> {
    let fault = shared.write(|s| {
        let rule = s.faults.iter_mut().find(|f| f.remaining > 0 && f.matcher.matches(&req.method, &req.path))?;
        rule.remaining -= 1;
        Some((rule.matcher.clone(), rule.fault.clone()))
    });
    match fault {
        Some((_, Fault::Delay(d))) => tokio::time::sleep(d).await,
        Some((_, Fault::ServerError(code))) => {
            let msg = format!("{code}: Internal Server Error");
            return Some((Reply { status: code, body: json!({"message": msg, "code": 0}), problems: vec![] }, None));
        }
        Some((matcher, Fault::RateLimited { retry_after, global })) => {
            let until = at + Duration::from_secs_f64(retry_after);
            shared.write(|s| s.blocks.push(Block { matcher: (!global).then_some(matcher), until }));
            return Some((rate_limited(retry_after, global, vec![]), Some((retry_after, global))));
        }
        None => {}
    }
    // Interaction endpoints (callbacks and the follow-up webhooks of an
    // interaction token) are exempt from the global limit.
    let exempt = req.path.starts_with("/interactions/") || req.path.starts_with("/webhooks/");
    let blocked = shared.read(|s| {
        s.blocks
            .iter()
            .filter(|b| b.until > at + Duration::from_millis(5))
            .find(|b| b.matcher.as_ref().map_or(!exempt, |m| m.matches(&req.method, &req.path)))
            .map(|b| (b.until - at, b.matcher.is_none()))
    });
    if let Some((left, global)) = blocked {
        let p = problem("SIM_IGNORED_RETRY_AFTER", format!("retried {} ms before retry_after ended", left.as_millis()));
        return Some((rate_limited(left.as_secs_f64(), global, vec![p]), Some((left.as_secs_f64(), global))));
    }
    if let (Some(channel), Some((limit, window))) = (message_channel(req), shared.config.channel_rate_limit) {
        // Discord's per-channel message bucket: `limit` posts per window from the first one.
        let over = shared.write(|s| {
            let w = s.channel_windows.entry(channel).or_insert((at, 0));
            if at >= w.0 + window {
                *w = (at, 0);
            }
            if w.1 >= limit {
                Some((w.0 + window - at).as_secs_f64())
            } else {
                w.1 += 1;
                None
            }
        });
        if let Some(left) = over {
            let p =
                problem("SIM_CHANNEL_RATE_LIMIT", format!("more than {limit} messages in {window:?} in one channel"));
            return Some((rate_limited(left, false, vec![p]), Some((left, false))));
        }
    }
    let limit = shared.config.global_rate_limit?;
    if exempt {
        return None;
    }
    let over = shared.write(|s| {
        s.recent.retain(|t| at.duration_since(*t) < Duration::from_secs(1));
        s.recent.push_back(at);
        s.recent.len() > limit
    });
    over.then(|| {
        let p = problem("SIM_GLOBAL_RATE_LIMIT", format!("more than {limit} requests in one second"));
        (rate_limited(1.0, true, vec![p]), Some((1.0, true)))
    })
}

fn problem(code: &str, message: String) -> Problem {
    Problem { path: String::new(), code: code.into(), message }
}

fn rate_limited(retry_after: f64, global: bool, problems: Vec<Problem>) -> Reply {
    let body = json!({"message": "You are being rate limited.", "retry_after": (retry_after * 1000.0).round() / 1000.0, "global": global});
    Reply { status: 429, body, problems }
}

fn record(shared: &Shared, req: Incoming, multipart: bool, at: Instant, reply: &Reply) {
    let route = format!("{} {}", req.method, req.path);
    shared.write(|s| {
        for p in &reply.problems {
            s.violations.push(Violation {
                route: route.clone(),
                field: p.path.clone(),
                code: p.code.clone(),
                message: p.message.clone(),
            });
        }
        s.requests.push(RecordedRequest {
            method: req.method,
            path: req.path,
            query: req.query,
            body: req.body,
            multipart,
            at,
            status: reply.status,
            response: reply.body.clone(),
        });
    });
}

fn respond(reply: Reply, retry: Option<(f64, bool)>, bucket: Option<(u32, f64)>) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if reply.status == 204 || reply.body.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(reply.body)).into_response()
    };
    let h = response.headers_mut();
    let mut set = |k: &'static str, v: String| {
        h.insert(k, HeaderValue::from_str(&v).expect("header value"));
    };
    // The message route's real bucket when there is one; a roomy one otherwise.
    let (reset_after, remaining) = match (retry, bucket) {
        (Some((r, _)), _) => (r, 0),
        (None, Some((remaining, reset_after))) => (reset_after, remaining),
        (None, None) => (1.0, 4),
    };
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    set("x-ratelimit-limit", "5".into());
    set("x-ratelimit-remaining", remaining.to_string());
    set("x-ratelimit-reset", format!("{:.3}", now + reset_after));
    set("x-ratelimit-reset-after", format!("{reset_after:.3}"));
    set("x-ratelimit-bucket", "5im0000000000000000000000000000000".into());
    if let Some((retry_after, global)) = retry {
        set("retry-after", format!("{}", retry_after.ceil() as u64));
        set("x-ratelimit-scope", if global { "global" } else { "user" }.into());
        if global {
            set("x-ratelimit-global", "true".into());
        }
    }
    response
}

/// The JSON body: plain JSON, or the `payload_json` part of a multipart form.
fn parse_body(content_type: &str, bytes: &[u8]) -> Result<Option<Value>, String> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let json = if let Some(boundary) = content_type.split("boundary=").nth(1) {
        multipart_payload(bytes, boundary.trim_matches('"')).ok_or("multipart body without a payload_json part")?
    } else {
        bytes
    };
    serde_json::from_slice(json).map(Some).map_err(|e| format!("invalid JSON body: {e}"))
}

fn multipart_payload<'a>(bytes: &'a [u8], boundary: &str) -> Option<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    split(bytes, delimiter.as_bytes()).into_iter().find_map(|part| {
        let header_end = find(part, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&part[..header_end]);
        let content = &part[header_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        headers.contains("name=\"payload_json\"").then_some(content)
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut bytes: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = vec![];
    while let Some(i) = find(bytes, delimiter) {
        parts.push(&bytes[..i]);
        bytes = &bytes[i + delimiter.len()..];
    }
    parts.push(bytes);
    parts
}
