//! `nlscope --gen-docs DIR` (hidden): the man pages (clap_mangen: `nlscope.1` and one
//! `nlscope-SUBCOMMAND.1` per subcommand) and shell completions (clap_complete: bash, zsh,
//! fish) generated from the command-line definition, for packaging (scripts/package-deb.sh).

use std::fs;
use std::path::Path;

use clap::Command;
use clap_complete::Shell;

use super::CliError;

/// Write the man pages under `dir/man/` and the completions under `dir/completions/`
/// (`nlscope.bash`, `_nlscope`, `nlscope.fish`); returns the files written.
pub fn generate(cmd: Command, dir: &Path) -> Result<Vec<std::path::PathBuf>, CliError> {
    let io =
        |what: &Path, e: std::io::Error| CliError::new(format!("writing {}: {e}", what.display()));
    let man = dir.join("man");
    let comp = dir.join("completions");
    for d in [&man, &comp] {
        fs::create_dir_all(d).map_err(|e| io(d, e))?;
    }
    let mut cmd = cmd;
    cmd.build();
    let mut written = Vec::new();
    // One page for the program, one per visible subcommand (git's and cargo's convention:
    // `man nlscope-read`), the subcommand's name joined to its parent's.
    let mut pages = vec![(cmd.get_name().to_string(), cmd.clone())];
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("{}-{}", cmd.get_name(), sub.get_name());
        let page = sub.clone().display_name(name.clone()).bin_name(format!(
            "{} {}",
            cmd.get_name(),
            sub.get_name()
        ));
        pages.push((name, page));
    }
    for (name, page) in pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut buf)
            .map_err(|e| CliError::new(format!("rendering the man page {name}: {e}")))?;
        let path = man.join(format!("{name}.1"));
        fs::write(&path, buf).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    let bin = cmd.get_name().to_string();
    let mut visible = without_hidden(&cmd);
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut visible, &bin, &comp)
            .map_err(|e| io(&comp, e))?;
        written.push(path);
    }
    Ok(written)
}

/// `cmd` without its hidden arguments and subcommands, at every level: clap_complete offers
/// hidden ones too (`--gen-docs`, `capture --stop-on-stdin-eof` are not for people).
fn without_hidden(cmd: &Command) -> Command {
    // `cmd` is built: its `--help`, `--version` and `help` are among what is copied.
    let mut c = Command::new(cmd.get_name().to_string())
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true);
    if let Some(a) = cmd.get_about() {
        c = c.about(a.clone());
    }
    if let Some(v) = cmd.get_version() {
        c = c.version(v.to_string());
    }
    c = c.args(cmd.get_arguments().filter(|a| !a.is_hide_set()).cloned());
    c.subcommands(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(without_hidden),
    )
}
