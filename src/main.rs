use clap::Parser;
use tracing_subscriber::util::SubscriberInitExt;

/// Settings read from the environment (or `.env`); an empty value means "not set".
const SETTINGS: [&str; 14] = [
    "DATABASE_URL",
    "OTKLIK_TELEGRAM_TOKEN",
    "OTKLIK_TELEGRAM_API_URL",
    "OTKLIK_BOT_USERNAME",
    "OTKLIK_DIALOGUES_DIR",
    "OTKLIK_CALENDAR_FILE",
    "RUST_LOG",
    "OTKLIK_HTTP_ADDR",
    "OTKLIK_INGEST_TOKEN",
    "OTKLIK_REPEAT_WINDOW_DAYS",
    "OTKLIK_LOG_FORMAT",
    "OTKLIK_METRICS_TOKEN",
    "OTKLIK_WEBHOOK_URL",
    "OTKLIK_WEBHOOK_SECRET",
];

fn main() -> std::process::ExitCode {
    // A missing .env is fine: every setting has a default or comes from the environment.
    let _ = dotenvy::dotenv();
    // `.env.example` lists every setting with an empty value; empty means "use the default".
    // Done before any thread starts.
    for key in SETTINGS {
        if std::env::var_os(key).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(key);
        }
    }
    let format = match std::env::var("OTKLIK_LOG_FORMAT")
        .unwrap_or_default()
        .parse::<otklik::logging::LogFormat>()
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // `try_init` also routes the `log` records of teloxide and others into it.
    if let Err(e) = otklik::logging::subscriber(format, filter, std::io::stderr).try_init() {
        eprintln!("error: cannot set up logging: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let cli = otklik::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(otklik::cli::run(cli)) {
        Ok(out) => {
            println!("{out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
