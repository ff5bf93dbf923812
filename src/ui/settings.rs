//! What the app persists between runs ([`Settings`], stored by eframe under its app key):
//! recent files, filter history, Time column format, theme, pane layout, columns, capture
//! options.

use std::path::PathBuf;

use super::columns::{self, ColumnSetting};
use crate::capture::session::LiveOptions;

/// How the Time column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TimeFormat {
    /// Wall-clock time of day (UTC).
    Absolute,
    /// Seconds since the first frame.
    Relative,
    /// Seconds since the previous displayed message.
    Delta,
}

/// Settings kept across runs (eframe persistence): the only part of the app that is saved.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// Applied filters, most recent first.
    pub history: Vec<String>,
    /// Time column format.
    pub time_format: TimeFormat,
    /// Dark theme.
    pub dark: bool,
    /// Live capture options.
    #[serde(default)]
    pub live: LiveOptions,
    /// Show the timeline strip above the packet list.
    pub timeline: bool,
    /// Where the panes split.
    pub layout: PaneSplit,
    /// The packet list's columns: order, shown or hidden, widths, field columns.
    pub columns: Vec<ColumnSetting>,
}

/// How the window is split between the list, the tree and the hex pane (kept across runs as
/// fractions, so a different window size keeps the proportions).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PaneSplit {
    /// The tree and hex panes' share of the height below the filter bar (once a message is
    /// selected; the list has it all before).
    pub details: f32,
    /// The tree's share of the details' width (the hex pane has the rest).
    pub tree: f32,
    /// The timeline strip's height in points.
    pub timeline: f32,
}

impl Default for PaneSplit {
    fn default() -> Self {
        PaneSplit {
            details: 0.45,
            tree: 0.45,
            timeline: 130.0,
        }
    }
}

impl PaneSplit {
    /// Fractions and heights kept within what the layout can show (a hand-edited or corrupt
    /// setting never hides a pane).
    pub fn clamped(self) -> PaneSplit {
        let frac = |v: f32, d: f32| if v.is_finite() { v.clamp(0.1, 0.9) } else { d };
        let d = PaneSplit::default();
        PaneSplit {
            details: frac(self.details, d.details),
            tree: frac(self.tree, d.tree),
            timeline: if self.timeline.is_finite() {
                self.timeline.clamp(70.0, 400.0)
            } else {
                d.timeline
            },
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            history: Vec::new(),
            time_format: TimeFormat::Relative,
            dark: true,
            live: LiveOptions::default(),
            timeline: true,
            layout: PaneSplit::default(),
            columns: columns::default_columns(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_settings_are_persisted_and_they_round_trip() {
        // `GuiApp::save` stores `App::settings` and nothing else; these are its keys.
        let mut s = Settings::default();
        s.recent.push(PathBuf::from("/tmp/a.pcapng"));
        s.history.push("nlmsg.type == RTM_NEWLINK".into());
        s.time_format = TimeFormat::Delta;
        s.layout.details = 0.3;
        let json = serde_json::to_value(&s).expect("serialize");
        let mut keys: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "columns",
                "dark",
                "history",
                "layout",
                "live",
                "recent",
                "time_format",
                "timeline"
            ]
        );
        let back: Settings = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, s);
        // Settings saved by an older version (fields missing) still load.
        let old: Settings = serde_json::from_str(r#"{"dark": false}"#).expect("old settings");
        assert_eq!(
            old,
            Settings {
                dark: false,
                ..Settings::default()
            }
        );
    }
}
