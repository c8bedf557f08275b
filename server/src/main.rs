//! `alongside`: the command line. Serving is the default; the other commands are for operators.
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use app::clock::{SharedClock, SystemClock};
use clap::{Parser, Subcommand};
use server::config::{Config, settings_help};

#[derive(Parser)]
#[command(
    name = "alongside",
    version,
    about = "Alongside: personalised care and support planning, for people with long-term conditions and their care teams.",
    after_help = settings_help()
)]
struct Cli {
    /// Read settings from this TOML file instead of ./alongside.toml.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default). Migrates the database first.
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Create the demo practice (once) and print one-time invitation links for its people.
    #[cfg(feature = "demo")]
    SeedDemo,
    /// Invite the first administrator of an organisation (created if new) and print the link.
    InviteAdmin {
        /// The administrator's full name, as they should see it.
        #[arg(long)]
        name: String,
        /// The organisation's name, e.g. "Riverside Medical Practice".
        #[arg(long)]
        organisation: String,
        /// gp_practice, community_team or social_care_team.
        #[arg(long, default_value = "gp_practice")]
        kind: String,
        /// A role they also hold: clinician, care_coordinator, healthcare_assistant or
        /// social_care_worker (many practice administrators are also clinicians).
        #[arg(long)]
        also_role: Option<String>,
        /// The organisation's ODS code (the NHS's Organisation Data Service), e.g. Y99001.
        #[arg(long)]
        ods_code: Option<String>,
    },
    /// Push reminders: what the queue holds.
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Add a person to an organisation's caseload and print their one-time invitation link.
    InvitePatient {
        /// First name.
        #[arg(long)]
        given: String,
        /// Last name.
        #[arg(long)]
        family: String,
        /// Date of birth, YYYY-MM-DD.
        #[arg(long)]
        born: String,
        /// NHS number (10 digits; the check digit is checked).
        #[arg(long)]
        nhs_number: String,
        /// The organisation's name, as given to invite-admin.
        #[arg(long)]
        organisation: String,
        /// A long-term condition, e.g. type2_diabetes, copd (repeat for several).
        #[arg(long = "condition")]
        conditions: Vec<String>,
    },
}

#[derive(Subcommand)]
enum RemindersCommand {
    /// Count reminders due, in flight, retrying and dead (the latest dead ones listed).
    Status,
}

/// An error as a line for the terminal, with every field's message.
fn explain(err: app::AppError) -> anyhow::Error {
    match err {
        app::AppError::Validation(fields) => {
            let lines: Vec<String> = fields
                .into_iter()
                .flat_map(|(field, messages)| {
                    let flag = field.replace('_', "-");
                    messages.into_iter().map(move |m| format!("--{flag}: {m}"))
                })
                .collect();
            anyhow::anyhow!("{}", lines.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// `server::tune_allocator` before the first allocation (on Linux, where the server runs and
/// the section is ELF's): as the program starts, before `main`
/// (the runtime allocates before `main` runs, and that makes mimalloc's first arena). Hand-written
/// because it is one function pointer in `.init_array`, which a crate (`ctor`) would only wrap.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = {
    extern "C" fn tune() {
        server::tune_allocator();
    }
    tune
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("alongside: {err}");
            return ExitCode::from(2);
        }
    };
    let filter = server::log_filter(&config.log);
    // Logs go to standard error, so what a command prints (links, counts) stays alone on
    // standard output.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("alongside: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config));
    // The shutdown deadline holds for work off the request path too: dropping the runtime
    // would wait for every blocking task (a page still being drawn for a request already
    // given up), however long.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("alongside: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    let prepared = server::prepare(config, clock.clone()).await?;
    match command {
        Command::Serve => server::serve(prepared).await,
        Command::Migrate => {
            println!("The database is up to date.");
            Ok(())
        }
        Command::Reminders {
            command: RemindersCommand::Status,
        } => {
            let s = app::reminders::queue::status(&prepared.state.app.db, clock.now())
                .await
                .map_err(explain)?;
            print!("{}", server::reminders::worker::describe_status(&s));
            Ok(())
        }
        Command::InviteAdmin {
            name,
            organisation,
            kind,
            also_role,
            ods_code,
        } => {
            let new = app::care_team::enrol::operator::FirstAdmin {
                name: &name,
                organisation: &organisation,
                kind: &kind,
                ods_code: ods_code.as_deref(),
                also_role: also_role.as_deref(),
            };
            let (_, _, link) = app::care_team::enrol::operator::first_admin(
                &prepared.state.app.db,
                clock.as_ref(),
                &prepared.config.public_origin,
                &new,
            )
            .await
            .map_err(explain)?;
            println!(
                "One-time invitation for {name}, administrator of {organisation} (valid 14 days):"
            );
            println!("  {link}");
            Ok(())
        }
        Command::InvitePatient {
            given,
            family,
            born,
            nhs_number,
            organisation,
            conditions,
        } => {
            let new = app::care_team::enrol::operator::NewPatient {
                given: &given,
                family: &family,
                born: &born,
                nhs_number: &nhs_number,
                organisation: &organisation,
                conditions: &conditions,
            };
            let link = app::care_team::enrol::operator::invite_patient(
                &prepared.state.app.db,
                clock.as_ref(),
                &prepared.config.public_origin,
                &new,
            )
            .await
            .map_err(explain)?;
            println!("One-time invitation for {given} {family} (valid 14 days):");
            println!("  {link}");
            Ok(())
        }
        #[cfg(feature = "demo")]
        Command::SeedDemo => {
            let invites = demo::seed_demo(&prepared.state.app)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Demo practice: {}. One-time invitation links (valid 14 days):",
                demo::PRACTICE
            );
            for invite in invites {
                match invite.link {
                    Some(link) => println!("  {:<16} {:<40} {link}", invite.name, invite.role),
                    None => println!(
                        "  {:<16} {:<40} (already signed up)",
                        invite.name, invite.role
                    ),
                }
            }
            Ok(())
        }
    }
}
