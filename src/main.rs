use clap::Parser;
use tracing_subscriber::util::SubscriberInitExt;

/// Whether an environment variable is one of Otklik's settings: every `OTKLIK_…` variable, the
/// database URL and the log filter. Matching by prefix, not by a list, so a setting added later
/// cannot be forgotten here.
fn is_setting(key: &str) -> bool {
    key.starts_with("OTKLIK_") || key == "DATABASE_URL" || key == "RUST_LOG"
}

fn main() -> std::process::ExitCode {
    // A missing .env is fine: every setting has a default or comes from the environment.
    let _ = dotenvy::dotenv();
    // `.env.example` lists every setting with an empty value; empty means "use the default".
    // Done before any thread starts.
    let empty: Vec<std::ffi::OsString> = std::env::vars_os()
        .filter(|(k, v)| v.is_empty() && k.to_str().is_some_and(is_setting))
        .map(|(k, _)| k)
        .collect();
    for key in empty {
        std::env::remove_var(key);
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
