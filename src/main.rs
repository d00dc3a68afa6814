//! The `bettafish` binary: parses the command line and hands over to the library — `serve`
//! (the default) runs the service, `ctl` operates a running one, `db` manages the database.

use std::process::ExitCode;

use bettafish::cli::{Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None | Some(Command::Serve) => bettafish::serve::serve(),
        Some(Command::Ctl(args)) => bettafish::ctl::run(args),
        Some(Command::Db(args)) => bettafish::dbtool::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bettafish: {err:#}");
            ExitCode::FAILURE
        }
    }
}
