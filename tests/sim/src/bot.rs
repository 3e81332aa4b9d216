//! Starting the real `holdfast run` binary against a [`super::Simulator`], and the boot helper
//! the end-to-end tests and benches share.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::Simulator;

/// How long a booting bot may take to connect and register its commands.
pub const BOOT: Duration = Duration::from_secs(20);

/// The `holdfast` binary of this build: `HOLDFAST_BIN` when set, otherwise the one Cargo builds
/// next to the running test or bench (`target/<profile>/holdfast`; Cargo builds a package's
/// binaries before its integration tests and benches).
pub fn holdfast_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("HOLDFAST_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test>-<hash> → target/<profile>/holdfast
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    profile_dir.join(format!("holdfast{}", std::env::consts::EXE_SUFFIX))
}

/// Starts `holdfast run` against `sim` and waits until it is connected and its commands are
/// registered.
pub async fn boot(sim: &Simulator, files: &BotFiles, extra_env: &[(&str, &str)]) -> Bot {
    let bot = Bot::start(&sim.base_url(), super::GUILD_ID, files, extra_env);
    sim.wait_ready_within(BOOT).await;
    sim.wait_for_commands(BOOT).await;
    bot
}

/// A running bot process; killed when dropped.
pub struct Bot {
    child: Option<Child>,
    /// Where its log goes (stderr).
    pub log: PathBuf,
}

/// Files a bot run needs: a database and a content folder (the shipped
/// content plus a tiny routine for fast real-time sessions).
pub struct BotFiles {
    pub dir: tempfile::TempDir,
}

impl BotFiles {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // This crate lives in tests/sim of the Holdfast repository.
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
        copy_dir(&src, &dir.path().join("content"));
        std::fs::write(
            dir.path().join("content/routines/e2e-quick.toml"),
            "id = \"e2e-quick\"\nname = \"Quick test\"\npurpose = \"One short hold, for end-to-end tests.\"\n\n\
             [[step]]\nexercise = \"knuckle-massage\"\nper_side = false\n",
        )
        .expect("write routine");
        Self { dir }
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("holdfast.db").display())
    }

    pub fn content_dir(&self) -> PathBuf {
        self.dir.path().join("content")
    }
}

impl Default for BotFiles {
    fn default() -> Self {
        Self::new()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read content") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The fake token the tests use (long enough to be redacted in logs).
pub const TOKEN: &str = "MTEz.fake-token.for-the-simulator-only";

impl Bot {
    /// Starts `holdfast run` with the simulator as Discord.
    pub fn start(base_url: &str, guild_id: u64, files: &BotFiles, extra_env: &[(&str, &str)]) -> Self {
        let log = files.dir.path().join(format!(
            "bot-{}.log",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
        ));
        let stderr = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new(holdfast_bin());
        cmd.arg("run")
            .current_dir(files.dir.path())
            .env("DISCORD_TOKEN", TOKEN)
            .env("HOLDFAST_DISCORD_API_BASE", base_url)
            .env("HOLDFAST_GUILD_ID", guild_id.to_string())
            .env("HOLDFAST_DATABASE_URL", files.db_url())
            .env("HOLDFAST_CONTENT_DIR", files.content_dir())
            .env("RUST_LOG", "info,holdfast=debug")
            .stdout(Stdio::null())
            .stderr(stderr);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start holdfast");
        Self { child: Some(child), log }
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Waits up to `limit` for the process to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Some(status);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The bot's log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops it with SIGTERM and waits (a graceful shutdown).
    pub fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
        // Up to 12 s: the bot gives the gateway a few seconds to close and
        // the queue a few more to drain.
        for _ in 0..240 {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        child.wait().ok()
    }

    /// Kills it at once (a crash).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.kill();
    }
}
