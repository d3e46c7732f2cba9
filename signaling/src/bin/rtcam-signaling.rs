//! `rtcam-signaling`: the local KVS-compatible signaling server as a program.
//!
//! ```text
//! rtcam-signaling --access-key AKIDEXAMPLE:secret --tls --addr-file /tmp/sig.addr \
//!     --cert-file /tmp/sig.pem --turn turn:127.0.0.1:3478?transport=udp --turn-secret s3cret
//! ```
//!
//! Prints `rtcam-signaling listening on <scheme>://<ip>:<port>` on stdout once it
//! accepts connections; `--addr-file` also gets `<ip>:<port>` (written atomically), so a
//! test can start it on port 0 and wait for the file. Runs until killed.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rtcam_signaling::server::{AccessKey, Config, Limits, Server};

/// Local Amazon KVS-compatible signaling server (control plane REST, ICE config,
/// WebSocket signaling) for development and tests without an AWS account.
#[derive(Debug, Parser)]
#[command(name = "rtcam-signaling", version)]
struct Cli {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// Serve HTTPS/WSS with a generated self-signed certificate (localhost, 127.0.0.1, ::1).
    #[arg(long)]
    tls: bool,
    /// Write the generated certificate (PEM) here, for clients to trust.
    #[arg(long)]
    cert_file: Option<PathBuf>,
    /// Write `<ip>:<port>` here once listening.
    #[arg(long)]
    addr_file: Option<PathBuf>,
    /// Accepted credentials `ACCESS_KEY_ID:SECRET[:SESSION_TOKEN]` (repeatable). Without
    /// any, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN are used.
    #[arg(long = "access-key", value_name = "ID:SECRET[:TOKEN]")]
    access_keys: Vec<String>,
    /// Region that signatures are scoped to and ARNs carry.
    #[arg(long, default_value = "us-west-2")]
    region: String,
    /// 12-digit account id in ARNs.
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// STUN URI for GetIceServerConfig (repeatable).
    #[arg(long = "stun")]
    stun_uris: Vec<String>,
    /// TURN URI for GetIceServerConfig (repeatable; four per server entry).
    #[arg(long = "turn")]
    turn_uris: Vec<String>,
    /// TURN shared secret (coturn `static-auth-secret`) for time-limited credentials.
    #[arg(long)]
    turn_secret: Option<String>,
    /// TURN credential lifetime, seconds.
    #[arg(long, default_value_t = 300)]
    turn_ttl: u64,
    /// Host[:port] written into returned endpoints instead of the request's Host.
    #[arg(long)]
    public_host: Option<String>,
    /// Channels to create at start (repeatable).
    #[arg(long = "channel")]
    channels: Vec<String>,
    /// Idle timeout of a WebSocket connection, seconds.
    #[arg(long, default_value_t = 600)]
    idle_timeout: u64,
    /// Maximum WebSocket connection duration, seconds.
    #[arg(long, default_value_t = 3600)]
    max_connection: u64,
    /// Viewers per channel.
    #[arg(long, default_value_t = 10)]
    max_viewers: usize,
    /// Channels that may exist.
    #[arg(long, default_value_t = 1000)]
    max_channels: usize,
    /// Control-plane calls per second (whole server).
    #[arg(long, default_value_t = 100)]
    api_rate: u32,
    /// Disable the loopback admin calls (/_rtcam/...).
    #[arg(long)]
    no_admin: bool,
}

fn parse_key(s: &str) -> Result<AccessKey, String> {
    let mut it = s.splitn(3, ':');
    let (Some(id), Some(secret)) = (it.next(), it.next()) else {
        return Err(format!("--access-key {s:?}: expected ID:SECRET[:TOKEN]"));
    };
    if id.is_empty() || secret.is_empty() {
        return Err(format!("--access-key {s:?}: empty id or secret"));
    }
    Ok(AccessKey {
        access_key_id: id.to_string(),
        secret_access_key: secret.to_string(),
        session_token: it.next().map(str::to_string),
    })
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn run(cli: Cli) -> Result<(), String> {
    let mut keys = cli
        .access_keys
        .iter()
        .map(|k| parse_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        if let (Ok(id), Ok(secret)) = (
            std::env::var("AWS_ACCESS_KEY_ID"),
            std::env::var("AWS_SECRET_ACCESS_KEY"),
        ) {
            keys.push(AccessKey {
                access_key_id: id,
                secret_access_key: secret,
                session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
            });
        }
    }
    if keys.is_empty() {
        return Err("no credentials: pass --access-key ID:SECRET or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into());
    }
    let config = Config {
        bind: cli.bind,
        tls: cli.tls,
        region: cli.region,
        account_id: cli.account_id,
        access_keys: keys,
        stun_uris: cli.stun_uris,
        turn_uris: cli.turn_uris,
        turn_secret: cli.turn_secret,
        turn_ttl: Duration::from_secs(cli.turn_ttl),
        public_host: cli.public_host,
        admin: !cli.no_admin,
        limits: Limits {
            idle_timeout: Duration::from_secs(cli.idle_timeout),
            max_connection_duration: Duration::from_secs(cli.max_connection),
            max_viewers: cli.max_viewers,
            max_channels: cli.max_channels,
            api_calls_per_sec: cli.api_rate,
            ..Limits::default()
        },
        clock_offset_secs: 0,
    };
    let server = Server::start(config).map_err(|e| e.to_string())?;
    for name in &cli.channels {
        server.create_channel(name).map_err(|e| e.to_string())?;
    }
    if let (Some(path), Some(pem)) = (&cli.cert_file, server.certificate_pem()) {
        write_atomic(path, pem).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &cli.addr_file {
        write_atomic(path, &format!("{}\n", server.local_addr()))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "rtcam-signaling listening on {}", server.endpoint());
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rtcam-signaling: {e}");
            ExitCode::FAILURE
        }
    }
}
