//! The administrator's commands, run as the real binary.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::fake_telegram::FakeTelegram;

fn otklik(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_otklik"))
        .args(args)
        .env_remove("OTKLIK_CALENDAR_FILE")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn deadlines_for_every_preset_across_the_new_year() {
    let expected = [
        ("vorsino", "routing           Mon 2027-01-11 10:10"),
        ("borovichi", "final             Mon 2027-01-11 17:10"),
        ("krymsk", "draft             Mon 2027-01-11 12:10"),
        (
            "yuzhno-sakhalinsk",
            "routing           Mon 2027-01-11 12:00",
        ),
        (
            "barnaul-leninsky",
            "competence_check  Mon 2027-01-11 09:30 *",
        ),
    ];
    for (preset, line) in expected {
        let (ok, out, err) = otklik(&[
            "deadlines",
            "--regulation",
            preset,
            "--detected",
            "2026-12-30T17:10:00+03:00",
        ]);
        assert!(ok, "{preset}: {err}");
        assert!(
            out.lines().any(|l| l == line),
            "{preset}: {line:?} not in\n{out}"
        );
    }
}

#[test]
fn deadlines_high_importance_as_json() {
    let (ok, out, err) = otklik(&[
        "deadlines",
        "--regulation",
        "borovichi",
        "--detected",
        "2026-11-23T07:00:00Z",
        "--importance",
        "high",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["time_zone"], "Europe/Moscow");
    assert_eq!(v["detected_at"], "2026-11-23T10:00:00+03:00");
    let stages = v["stages"].as_array().unwrap();
    let final_ = stages.iter().find(|s| s["stage"] == "final").unwrap();
    assert_eq!(final_["at"], "2026-11-23T15:00:00+03:00");
    assert_eq!(final_["assumed"], false);
    let interim = stages
        .iter()
        .find(|s| s["stage"] == "interim_to_final")
        .unwrap();
    assert_eq!(interim["status"], "after_event");
}

#[test]
fn external_deadline_is_used_where_the_profile_says() {
    let (ok, out, _) = otklik(&[
        "deadlines",
        "--regulation",
        "barnaul-leninsky",
        "--detected",
        "2026-11-23T10:00:00+07:00",
        "--external-deadline",
        "2026-11-24T10:00:00+07:00",
    ]);
    assert!(ok);
    assert!(
        out.contains("final             Tue 2026-11-24 10:00"),
        "{out}"
    );
}

#[test]
fn outside_the_calendar_is_a_clear_error() {
    let (ok, _, err) = otklik(&[
        "deadlines",
        "--regulation",
        "vorsino",
        "--detected",
        "2029-01-10T10:00:00+03:00",
    ]);
    assert!(!ok);
    assert!(
        err.contains("outside the production calendar (2024–2027)"),
        "{err}"
    );
    let (ok, _, err) = otklik(&[
        "deadlines",
        "--regulation",
        "moscow",
        "--detected",
        "2026-01-10T10:00:00+03:00",
    ]);
    assert!(!ok);
    assert!(err.contains("neither a preset"), "{err}");
}

#[test]
fn check_regulation_accepts_presets_and_files_and_lists_problems() {
    for preset in [
        "vorsino",
        "borovichi",
        "krymsk",
        "yuzhno-sakhalinsk",
        "barnaul-leninsky",
    ] {
        let (ok, out, err) = otklik(&["check-regulation", preset]);
        assert!(ok, "{preset}: {err}");
        assert!(out.starts_with("OK: "), "{out}");
    }
    let (ok, out, err) = otklik(&[
        "check-regulation",
        concat!(env!("CARGO_MANIFEST_DIR"), "/regulations/krymsk.toml"),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("krymsk"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[profile]\nid = \"x\"\nname = \"X\"\ntime_zone = \"Mars/Olympus\"\n[stages.routing]\nwithin = \"soon\"\n",
    )
    .unwrap();
    let (ok, _, err) = otklik(&["check-regulation", bad.to_str().unwrap()]);
    assert!(!ok);
    for needle in [
        "profile.time_zone",
        "stages.routing.within",
        "stages.final: missing",
        "stages.draft: missing",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
}

#[test]
fn an_administrator_adds_a_year_without_rebuilding() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ru.toml");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/calendars/ru.toml")).unwrap();
    std::fs::write(
        &file,
        format!("{shipped}\n[years.2028]\nholidays = [\"2028-01-03\", \"2028-01-04\"]\ndays_off = [\"2028-01-03\", \"2028-01-04\"]\nworking_weekends = []\nshortened = []\n"),
    )
    .unwrap();
    let (ok, out, err) = otklik(&["check-calendar", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("2028"), "{out}");
    let (ok, out, err) = otklik(&[
        "--calendar",
        file.to_str().unwrap(),
        "deadlines",
        "--regulation",
        "borovichi",
        "--detected",
        "2027-12-31T10:00:00+03:00",
    ]);
    assert!(ok, "{err}");
    // 31 Dec 2027 is off; 3 and 4 Jan 2028 are off in this file: first working day is Wed 5 Jan.
    assert!(
        out.contains("routing           Wed 2028-01-05 09:30"),
        "{out}"
    );

    std::fs::write(
        &file,
        "schema = 1\n[years.2030]\nholidays = []\ndays_off = [\"2030-01-05\"]\nworking_weekends = []\nshortened = []\n",
    )
    .unwrap();
    let (ok, _, err) = otklik(&["check-calendar", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("years.2030.days_off: 2030-01-05 is a Sat"),
        "{err}"
    );
}

#[test]
fn migrate_creates_the_sqlite_file_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("new.db").display());
    for _ in 0..2 {
        let (ok, out, err) = otklik(&["migrate", "--database-url", &url]);
        assert!(ok, "{err}");
        assert!(out.contains("schema is up to date (Sqlite)"), "{out}");
    }
    assert!(dir.path().join("new.db").exists());
    let (ok, _, err) = otklik(&[
        "migrate",
        "--database-url",
        "mysql://root:secret@localhost/x",
    ]);
    assert!(!ok);
    assert!(err.contains("mysql://root:***@localhost/x"), "{err}");
    assert!(!err.contains("secret"), "{err}");
}

#[test]
fn import_export_and_invites_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("org.db").display());
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/organisation.toml");
    let (ok, out, err) = otklik(&["import", example, "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(
        out.contains("(created): 2 departments, 5 people added"),
        "{out}"
    );
    let (ok, out, _) = otklik(&["import", example, "--database-url", &url]);
    assert!(ok);
    assert!(
        out.contains("(updated): 2 departments, 0 people added, 0 deactivated"),
        "{out}"
    );
    let exported = dir.path().join("export.toml");
    let name = "Администрация СП «Село Ворсино»";
    let (ok, _, err) = otklik(&[
        "export",
        "--organisation",
        name,
        "--output",
        exported.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = otklik(&["import", exported.to_str().unwrap(), "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(out.contains("0 people added, 0 deactivated"), "{out}");
    let (ok, out, err) = otklik(&[
        "invites",
        "--organisation",
        name,
        "--bot-username",
        "@otklik_bot",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(
        out.lines()
            .all(|l| l.contains("\thttps://t.me/otklik_bot?start=")),
        "{out}"
    );
    // The same people, invited to the bot in MAX.
    let (ok, out, err) = otklik(&[
        "invites",
        "--organisation",
        name,
        "--bot-username",
        "otklik_max_bot",
        "--messenger",
        "max",
        "--database-url",
        &url,
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(
        out.lines()
            .all(|l| l.contains("\thttps://max.ru/otklik_max_bot?start=")),
        "{out}"
    );
    let (ok, _, err) = otklik(&[
        "invites",
        "--organisation",
        name,
        "--bot-username",
        "otklik_bot",
        "--messenger",
        "icq",
        "--database-url",
        &url,
    ]);
    assert!(!ok);
    assert!(err.contains("not a messenger Otklik runs in"), "{err}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[organisation]\nname = \"X\"\nregulation = \"atlantis\"\n",
    )
    .unwrap();
    let (ok, _, err) = otklik(&["import", bad.to_str().unwrap(), "--database-url", &url]);
    assert!(!ok);
    assert!(err.contains("organisation.regulation"), "{err}");
}

/// Barnaul §5 ¶1: under a competence check the department head confirms competence — a
/// department without a head imports (the administrator may add one later) with a warning that
/// its incidents would wait for nobody; with heads, no warning.
#[test]
fn importing_a_department_without_a_head_under_a_competence_check_warns() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("barnaul.db").display());
    let file = dir.path().join("barnaul.toml");
    let write = |head: &str| {
        std::fs::write(
            &file,
            format!(
                "[organisation]\nname = \"Администрация района\"\nregulation = \"barnaul-leninsky\"\n\n\
                 [[departments]]\nname = \"Отдел ЖКХ\"\n{head}\n\
                 [[people]]\nname = \"Кузнецов Игорь\"\nroles = [\"department_head\"]\n\
                 departments = [\"Отдел ЖКХ\"]\n"
            ),
        )
        .unwrap();
    };
    write("");
    let (ok, out, err) = otklik(&["import", file.to_str().unwrap(), "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(
        out.contains("warning: line 5: departments[0].head: not set"),
        "{out}"
    );
    assert!(out.contains("\"Отдел ЖКХ\" would wait for nobody"), "{out}");
    write("head = \"Кузнецов Игорь\"");
    let (ok, out, err) = otklik(&["import", file.to_str().unwrap(), "--database-url", &url]);
    assert!(ok, "{err}");
    assert!(!out.contains("warning"), "{out}");
}

#[test]
fn empty_settings_mean_defaults_and_run_reports_an_unreachable_telegram() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("run.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_otklik"))
        .args([
            "deadlines",
            "--regulation",
            "krymsk",
            "--detected",
            "2026-11-23T10:00:00+03:00",
        ])
        .env("OTKLIK_CALENDAR_FILE", "")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_otklik"))
        .args(["run", "--database-url", &url])
        .env("OTKLIK_TELEGRAM_TOKEN", "123:TEST")
        .env("OTKLIK_TELEGRAM_API_URL", "http://127.0.0.1:9/")
        .env("OTKLIK_HTTP_ADDR", "127.0.0.1:0")
        .env("OTKLIK_DIALOGUES_DIR", "")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error:"), "{err}");
    assert!(
        !err.contains("123:TEST"),
        "the token must not be printed: {err}"
    );
    // MAX alone, unreachable: the same, naming MAX's variable.
    let out = Command::new(env!("CARGO_BIN_EXE_otklik"))
        .args(["run", "--database-url", &url])
        .env_remove("OTKLIK_TELEGRAM_TOKEN")
        .env("OTKLIK_MAX_TOKEN", "max-secret-token")
        .env("OTKLIK_MAX_API_URL", "http://127.0.0.1:9/")
        .env("OTKLIK_HTTP_ADDR", "127.0.0.1:0")
        .env("OTKLIK_DIALOGUES_DIR", "")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach MAX"), "{err}");
    assert!(err.contains("OTKLIK_MAX_TOKEN"), "{err}");
    assert!(!err.contains("max-secret-token"), "{err}");
}

#[test]
fn run_without_a_token_says_which_variable_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_otklik"))
        .arg("run")
        .env_remove("OTKLIK_TELEGRAM_TOKEN")
        .env_remove("OTKLIK_MAX_TOKEN")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("x.db").display()),
        )
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("neither OTKLIK_TELEGRAM_TOKEN nor OTKLIK_MAX_TOKEN is set"),
        "{err}"
    );
    assert!(err.contains("@BotFather"), "{err}");
    assert!(err.contains(".env.example"), "{err}");
    assert!(!err.contains("--telegram-token"), "{err}");
    // Nothing was created: the check comes first.
    assert!(!dir.path().join("x.db").exists());
}

#[test]
fn report_writes_the_chart_and_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("org.db").display());
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/organisation.toml");
    let (ok, _, err) = otklik(&["import", example, "--database-url", &url]);
    assert!(ok, "{err}");
    let name = "Администрация СП «Село Ворсино»";
    let out_dir = dir.path().join("reports");
    let report = |from: &str, to: &str| {
        otklik(&[
            "report",
            "--organisation",
            name,
            "--from",
            from,
            "--to",
            to,
            "--out",
            out_dir.to_str().unwrap(),
            "--database-url",
            &url,
        ])
    };
    let (ok, out, err) = report("01.11.2026", "2026-11-30");
    assert!(ok, "{err}");
    assert!(
        out.starts_with("📊 Отчёт за 01.11.2026 – 30.11.2026"),
        "{out}"
    );
    assert!(out.contains("Сообщений: 0"), "{out}");
    let png = std::fs::read(out_dir.join("otklik-20261101-20261130.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    assert_eq!(decoder.read_info().unwrap().info().width, 1080);
    let xlsx = std::fs::read(out_dir.join("otklik-20261101-20261130.xlsx")).unwrap();
    let book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader;
    assert_eq!(
        book.sheet_names(),
        ["Сводка", "Нарушения сроков", "Сообщения"]
    );

    let (ok, _, err) = report("30.11.2026", "01.11.2026");
    assert!(!ok);
    assert!(err.contains("--to (01.11.2026) is before --from"), "{err}");
    let (ok, _, err) = report("вчера", "01.11.2026");
    assert!(!ok);
    assert!(err.contains("is not a date"), "{err}");
    let (ok, _, err) = report("01.01.2019", "31.01.2019");
    assert!(!ok);
    assert!(err.contains("outside the production calendar"), "{err}");
}

/// The README's quick start, literally: `.env.example` copied to `.env`, the token filled in (and
/// the Bot API's address, pointing at a local fake), `otklik run` in that directory with nothing
/// else set — up and polling Telegram. Every other line stays as shipped, empty values included
/// (an empty value means "not set"). The HTTP address is moved off 8080 only so the test never
/// fights another process for a fixed port.
#[tokio::test]
async fn the_quick_start_runs_from_a_copied_env_example() {
    let (fake, fake_url) = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example")).unwrap();
    let mut filled = 0;
    let env: Vec<String> = example
        .lines()
        .map(|line| match line.split_once('=') {
            Some(("OTKLIK_TELEGRAM_TOKEN", _)) => {
                filled += 1;
                "OTKLIK_TELEGRAM_TOKEN=123:TEST".to_string()
            }
            Some(("OTKLIK_TELEGRAM_API_URL", _)) => {
                filled += 1;
                format!("OTKLIK_TELEGRAM_API_URL={fake_url}")
            }
            Some(("OTKLIK_HTTP_ADDR", _)) => format!("OTKLIK_HTTP_ADDR=127.0.0.1:{port}"),
            _ => line.to_string(),
        })
        .collect();
    assert_eq!(
        filled, 2,
        ".env.example lost the token or the API address line"
    );
    // The copy still has settings left empty (MAX's among them): that is what a new user has.
    assert!(env.iter().any(|l| l == "OTKLIK_MAX_API_URL="), "{env:?}");
    std::fs::write(dir.path().join(".env"), env.join("\n")).unwrap();

    let mut run = Command::new(env!("CARGO_BIN_EXE_otklik"));
    run.arg("run").current_dir(dir.path());
    // Nothing from the test's own environment: only `.env` speaks.
    for (key, _) in std::env::vars() {
        if key.starts_with("OTKLIK_") || key == "DATABASE_URL" || key == "RUST_LOG" {
            run.env_remove(key);
        }
    }
    let log = dir.path().join("otklik.log");
    let mut bot = run
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut up = false;
    while Instant::now() < deadline {
        if let Some(status) = bot.try_wait().unwrap() {
            panic!("otklik run exited with {status}:\n{}", log_text());
        }
        let healthy = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if healthy && fake.polls() > 0 {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status();
    // Waited for without blocking: the fake Bot API runs on this test's runtime.
    let stop_by = Instant::now() + Duration::from_secs(15);
    let stopped = loop {
        if let Some(status) = bot.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < stop_by,
            "otklik run did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        up,
        "otklik run did not come up within 60 s:\n{}",
        log_text()
    );
    assert!(stopped.success(), "{stopped}:\n{}", log_text());
    // The database the example names, in the directory it was started in.
    assert!(dir.path().join("otklik.db").exists());
}
