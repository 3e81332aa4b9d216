//! The gateway: HELLO, HEARTBEAT/ACK, IDENTIFY → READY + GUILD_CREATE, RESUME → replay + RESUMED,
//! and dispatches with sequence numbers. One live connection at a time.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::payloads::{self, fresh_id};
use super::state::{Outgoing, Shared, State};

/// Accepts websocket connections on `listener` until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                // As Discord's gateway: small frames go out at once (no Nagle).
                drop(stream.set_nodelay(true));
                tokio::spawn(connection(stream, Arc::clone(&shared)));
            }
            Err(e) => eprintln!("simulator gateway accept failed: {e}"),
        }
    }
}

/// Sends a dispatch (op 0) with the next sequence number; it is kept for RESUME and sent at once
/// when a session is live.
pub(crate) fn dispatch(s: &mut State, event: &str, data: Value) {
    s.gateway.seq += 1;
    let seq = s.gateway.seq;
    let frame = json!({"op": 0, "t": event, "s": seq, "d": data}).to_string();
    s.gateway.log.push((seq, frame.clone()));
    if s.gateway.live {
        send(s, Outgoing::Text(frame));
    }
}

/// Sends a frame on the current connection, if any.
pub(crate) fn send(s: &State, frame: Outgoing) {
    if let Some((_, tx)) = &s.gateway.conn {
        let _ = tx.send(frame);
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let ws = match tokio_tungstenite::accept_async(stream).await {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("simulator gateway handshake failed: {e}");
            return;
        }
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hello =
        json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": shared.config.heartbeat_interval_ms}});
    let _ = tx.send(Outgoing::Text(hello.to_string()));
    let conn = shared.write(|s| {
        s.gateway.connections += 1;
        let id = s.gateway.connections;
        if let Some((_, old)) = s.gateway.conn.replace((id, tx)) {
            let _ = old.send(Outgoing::Close(4000));
        }
        s.gateway.live = false;
        id
    });
    loop {
        tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => receive(&shared, conn, &text),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            out = rx.recv() => match out {
                Some(Outgoing::Text(text)) => {
                    if sink.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code)) => {
                    let frame = CloseFrame { code: CloseCode::from(code), reason: "closed by the simulator".into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
                None => break,
            },
        }
    }
    shared.write(|s| {
        if s.gateway.conn.as_ref().is_some_and(|(id, _)| *id == conn) {
            s.gateway.conn = None;
            s.gateway.live = false;
        }
    });
}

/// Handles one frame from the client on connection `conn`.
fn receive(shared: &Shared, conn: u64, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else { return };
    let ws_url = shared.ws_url.get().cloned().unwrap_or_default();
    shared.write(|s| {
        if s.gateway.conn.as_ref().is_none_or(|(id, _)| *id != conn) {
            return;
        }
        match frame["op"].as_u64() {
            Some(1) => {
                s.gateway.heartbeats += 1;
                send(s, Outgoing::Text(json!({"op": 11, "s": null, "t": null, "d": null}).to_string()));
            }
            Some(2) => {
                let session = format!("{:032x}", u128::from(fresh_id()) * 0x1_0000_0001);
                s.gateway.identifies += 1;
                s.gateway.last_identify = Some(frame["d"].clone());
                s.gateway.session_id = Some(session.clone());
                s.gateway.seq = 0;
                s.gateway.log.clear();
                s.gateway.live = true;
                dispatch(s, "READY", payloads::ready(&session, &ws_url));
                dispatch(s, "GUILD_CREATE", payloads::guild_create());
            }
            Some(6) => {
                s.gateway.resumes += 1;
                let d = &frame["d"];
                let known = s.gateway.session_id.as_deref().is_some_and(|id| d["session_id"].as_str() == Some(id));
                if !known {
                    send(s, Outgoing::Text(json!({"op": 9, "s": null, "t": null, "d": false}).to_string()));
                    return;
                }
                let after = d["seq"].as_u64().unwrap_or(0);
                for (_, f) in s.gateway.log.iter().filter(|(seq, _)| *seq > after) {
                    send(s, Outgoing::Text(f.clone()));
                }
                s.gateway.live = true;
                dispatch(s, "RESUMED", json!({"_trace": ["sim"]}));
            }
            _ => {}
        }
    });
}
