//! The window glue: [`GuiApp`] (the eframe application around [`App`]) and [`run`].

use std::path::PathBuf;
use std::sync::Arc;

use super::{App, Settings};
use crate::dissect::specs::SpecRegistry;

/// The eframe application: [`App`] plus the window glue.
pub struct GuiApp {
    /// State and logic.
    pub app: App,
}

impl GuiApp {
    /// Wrap `app`, waking `ctx` when background work has results.
    pub fn new(mut app: App, ctx: &egui::Context) -> Self {
        let c = ctx.clone();
        app.set_waker(Arc::new(move || c.request_repaint()));
        GuiApp { app }
    }
}

/// Run the desktop app, opening `file` if given.
pub fn run(specs: SpecRegistry, file: Option<PathBuf>) -> Result<(), String> {
    if ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .all(|v| std::env::var_os(v).is_none_or(|s| s.is_empty()))
    {
        return Err(match &file {
            Some(f) => format!(
                "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset); \
                 read the capture on the terminal with `nlscope read -r {}`",
                f.display()
            ),
            None => "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset); \
                     see `nlscope --help` for the command line"
                .to_string(),
        });
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("nlscope")
            .with_app_id("nlscope")
            .with_inner_size([1280.0, 800.0])
            .with_drag_and_drop(true)
            .with_icon(window_icon()),
        ..Default::default()
    };
    eframe::run_native(
        "nlscope",
        options,
        Box::new(move |cc| {
            let mut app = App::new(specs);
            if let Some(s) = cc.storage
                && let Some(settings) = eframe::get_value::<Settings>(s, eframe::APP_KEY)
            {
                app.settings = settings;
            }
            let mut gui = GuiApp::new(app, &cc.egui_ctx);
            if let Some(f) = file {
                gui.app.open(&f);
            }
            Ok(Box::new(gui))
        }),
    )
    .map_err(|e| e.to_string())
}

/// The window icon (assets/nlscope.png, drawn by scripts/make-icon.py from assets/nlscope.svg).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/nlscope.png"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_icon_is_the_packaged_png() {
        let icon = window_icon();
        assert_eq!((icon.width, icon.height), (128, 128));
        assert_eq!(icon.rgba.len(), 128 * 128 * 4);
        // Opaque in the middle, transparent in the corner (the rounded square).
        assert_eq!(icon.rgba[(64 * 128 + 64) * 4 + 3], 255);
        assert_eq!(icon.rgba[3], 0);
    }
}
