//! The `academy` command: `serve` (the default), `migrate`, `seed --demo`.
use academy_server::{open_database_with, redact, seed, shutdown_signal, DbArgs, ServeArgs};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "academy",
    version,
    about = "Training programmes from the first schedule to the emailed certificate"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Load data into the database.
    Seed {
        /// The 2014 Tianjin programme with 82 enterprises and ~500 trainees.
        #[arg(long)]
        demo: bool,
        /// Ten times the enterprises and people (820 and ~4,900) with `--scale 10`.
        #[arg(long, default_value_t = 1)]
        scale: usize,
    },
    /// Manage accounts from the command line.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Work with the curricula in `content/`.
    Content {
        #[command(subcommand)]
        action: ContentAction,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create an administrator. Prompts for the password, or reads it from stdin when piped.
    Create {
        /// The person's name.
        #[arg(long)]
        name: String,
        /// Mobile number or email to sign in with.
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand)]
enum ContentAction {
    /// Validate every programme, course, lesson and quiz; print `path:line: message` per problem.
    Check {
        #[arg(default_value = "content")]
        dir: std::path::PathBuf,
    },
    /// Load the content into the database: new and edited files are written, removed lessons
    /// archived; a second run with the same files writes nothing.
    Sync {
        #[arg(default_value = "content")]
        dir: std::path::PathBuf,
    },
}

fn main() {
    // Before anything else: this may run the program again with mimalloc's settings.
    academy_server::allocator::start_lean();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("academy: cannot start the async runtime: {err}");
            std::process::exit(1);
        }
    };
    runtime.block_on(start());
}

async fn start() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn")),
        )
        .init();
    if let Err(err) = run(Cli::parse()).await {
        eprintln!("academy: {err:#}");
        std::process::exit(1);
    }
}

async fn open(db: &DbArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let conn = open_database_with(&db.database_url, db.db_connections).await?;
    tracing::info!(database = %redact(&db.database_url), "database ready");
    Ok(conn)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Content {
            action: ContentAction::Check { dir },
        } => academy_server::content_cmd::check(&dir),
        Command::Content {
            action: ContentAction::Sync { dir },
        } => {
            let db = open(&cli.db).await?;
            let report = academy_server::content_cmd::sync(&db, &dir).await?;
            println!("{report}");
            Ok(())
        }
        Command::Admin {
            action: AdminAction::Create { name, login },
        } => {
            let password = read_password()?;
            let db = open(&cli.db).await?;
            match academy_app::admin::service::create_admin(&db, &name, &login, &password).await {
                Ok(id) => {
                    println!(
                        "administrator created (person #{id}); sign in at /sign-in with {login}"
                    );
                    Ok(())
                }
                Err(academy_app::error::AppError::Validation { field, message }) => {
                    anyhow::bail!("{field}: {message}")
                }
                Err(err) => anyhow::bail!("could not create the administrator: {err}"),
            }
        }
        Command::Migrate => {
            open(&cli.db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { demo, scale } => {
            if !demo {
                anyhow::bail!("say what to seed: academy seed --demo");
            }
            let db = open(&cli.db).await?;
            let report = seed::seed_scaled(&db, &cli.serve.content_dir, scale).await?;
            if report.created {
                println!(
                    "demo data loaded: {} enterprises, {} trainees",
                    report.enterprises, report.people
                );
            } else {
                println!("demo data already present: nothing changed");
            }
            Ok(())
        }
        Command::Serve => {
            let db = open(&cli.db).await?;
            if cli.serve.sync_content {
                let dir = &cli.serve.content_dir;
                if dir.exists() {
                    let report = academy_server::content_cmd::sync(&db, dir).await?;
                    tracing::info!(content = %dir.display(), "{report}");
                } else {
                    tracing::warn!(
                        content = %dir.display(),
                        "no content folder: courses not synced (set ACADEMY_CONTENT_DIR)"
                    );
                }
            }
            let listener = tokio::net::TcpListener::bind(cli.serve.addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", cli.serve.addr))?;
            let addr = listener.local_addr()?;
            tracing::info!(allocator = ?academy_server::allocator::settings(), "listening on http://{addr}");
            println!("academy is running at http://{addr}");
            academy_server::serve(db, cli.serve, listener, shutdown_signal()).await
        }
    }
}

/// The password from a prompt without echo, or the first line of stdin when it is not a terminal.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")?;
        let again = rpassword::prompt_password("password again: ")?;
        if first != again {
            anyhow::bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
