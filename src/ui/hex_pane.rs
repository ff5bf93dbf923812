//! The hex pane: the selected message's frame bytes, the selected node's bytes highlighted,
//! the message's own bytes tinted and an error ack's offending attribute in the error colour.
//! A click on a byte is reported as [`Action::ClickByte`].

use egui::{Color32, CornerRadius, FontId, Sense, Ui, Vec2, WidgetInfo};

use super::view::Action;
use crate::model::Node;

/// State of the hex pane.
#[derive(Debug, Default)]
pub struct HexPane {
    /// Highlighted frame byte range (offset, length): the selected tree node's.
    pub sel: Option<(usize, usize)>,
    /// Scroll to show this frame byte on the next frame.
    pub scroll_to: Option<usize>,
    /// For an error ack whose extended ack has NLMSGERR_ATTR_OFFS: the bytes of the echoed
    /// request's offending attribute.
    pub offending: Option<(usize, usize)>,
}

impl HexPane {
    /// A newly selected message with `tree`, starting at frame byte `offset`.
    pub(super) fn show(&mut self, tree: &[Node], offset: Option<usize>) {
        self.offending = offending_attr(tree);
        self.sel = None;
        self.scroll_to = offset;
    }

    /// Nothing selected.
    pub(super) fn clear(&mut self) {
        self.sel = None;
        self.offending = None;
    }

    /// Draw `data` (the frame), tinting `msg` (the message's byte range).
    pub(super) fn ui(
        &mut self,
        ui: &mut Ui,
        data: &[u8],
        msg: Option<(usize, usize)>,
        actions: &mut Vec<Action>,
    ) {
        let scroll_to = self.scroll_to.take();
        if data.is_empty() {
            ui.centered_and_justified(|ui| ui.weak("Frame bytes appear here"));
            return;
        }
        let font = FontId::monospace(ui.text_style_height(&egui::TextStyle::Monospace) - 1.0);
        let cw = ui
            .painter()
            .layout_no_wrap("0".into(), font.clone(), Color32::WHITE)
            .size()
            .x;
        let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 1.0;
        let text = ui.visuals().text_color();
        let weak = ui.visuals().weak_text_color();
        let sel_bg = ui.visuals().selection.bg_fill;
        let msg_bg = sel_bg.gamma_multiply(0.3);
        let sel = self.sel;
        let bad = self.offending;
        let bad_bg = Color32::from_rgba_unmultiplied(0xe0, 0x40, 0x40, 110);
        let in_range = |r: Option<(usize, usize)>, p: usize| {
            r.is_some_and(|(o, l)| p >= o && p < o.saturating_add(l))
        };
        // The background of byte `pos`: the node's, else the offending attribute's, else the
        // message's.
        let bg = |pos: usize| {
            if in_range(sel, pos) {
                Some(sel_bg)
            } else if in_range(bad, pos) {
                Some(bad_bg)
            } else if in_range(msg, pos) {
                Some(msg_bg)
            } else {
                None
            }
        };
        let rows = data.len().div_ceil(16);
        ui.spacing_mut().item_spacing = Vec2::new(0.0, 1.0);
        let mut area = egui::ScrollArea::both()
            .id_salt("hex-scroll")
            .auto_shrink(false);
        if let Some(b) = scroll_to {
            // Put the byte's row a few rows below the top.
            let row = (b / 16).saturating_sub(3);
            area = area.vertical_scroll_offset(row as f32 * (row_h + 1.0));
        }
        area.show_rows(ui, row_h, rows, |ui, range| {
            for r in range {
                let start = r * 16;
                let chunk = data.get(start..(start + 16).min(data.len())).unwrap_or(&[]);
                ui.horizontal(|ui| {
                    let (rect, _) =
                        ui.allocate_exact_size(Vec2::new(cw * 6.0, row_h), Sense::hover());
                    ui.painter().text(
                        rect.left_center(),
                        egui::Align2::LEFT_CENTER,
                        format!("{start:04x}"),
                        font.clone(),
                        weak,
                    );
                    for k in 0..16 {
                        let pos = start + k;
                        let w = if k == 7 { cw * 4.0 } else { cw * 3.0 };
                        let (rect, resp) = ui.allocate_exact_size(
                            Vec2::new(w, row_h),
                            if k < chunk.len() {
                                Sense::click()
                            } else {
                                Sense::hover()
                            },
                        );
                        let Some(b) = chunk.get(k) else { continue };
                        resp.widget_info(|| {
                            WidgetInfo::labeled(egui::Role::Button, true, format!("byte {pos}"))
                        });
                        let cell =
                            egui::Rect::from_min_size(rect.min, Vec2::new(cw * 2.0 + 2.0, row_h));
                        if let Some(c) = bg(pos) {
                            ui.painter().rect_filled(cell, CornerRadius::ZERO, c);
                        }
                        ui.painter().text(
                            rect.left_center(),
                            egui::Align2::LEFT_CENTER,
                            format!("{b:02x}"),
                            font.clone(),
                            text,
                        );
                        if resp.clicked() {
                            actions.push(Action::ClickByte(pos));
                        }
                    }
                    ui.add_space(cw * 2.0);
                    for (k, b) in chunk.iter().enumerate() {
                        let pos = start + k;
                        let (rect, resp) =
                            ui.allocate_exact_size(Vec2::new(cw, row_h), Sense::click());
                        if let Some(c) = bg(pos) {
                            ui.painter().rect_filled(rect, CornerRadius::ZERO, c);
                        }
                        let c = if b.is_ascii_graphic() || *b == b' ' {
                            char::from(*b)
                        } else {
                            '.'
                        };
                        ui.painter().text(
                            rect.left_center(),
                            egui::Align2::LEFT_CENTER,
                            c,
                            font.clone(),
                            if c == '.' { weak } else { text },
                        );
                        if resp.clicked() {
                            actions.push(Action::ClickByte(pos));
                        }
                    }
                });
            }
        });
    }
}

/// The byte range of the attribute an error ack's NLMSGERR_ATTR_OFFS points at, when the
/// request is echoed in the same message: the deepest request node covering the offset.
pub fn offending_attr(tree: &[Node]) -> Option<(usize, usize)> {
    let req = tree.iter().find(|n| n.field == "nlmsgerr.request")?;
    let mut offs = None;
    for top in tree {
        top.walk(&mut |n| {
            if n.field == "nlmsgerr.offs"
                && let crate::model::Value::Uint(v) = n.value
            {
                offs = Some(v);
            }
        });
    }
    let target = req.offset.checked_add(usize::try_from(offs?).ok()?)?;
    let chain = Node::deepest_at(&req.children, target)?;
    chain.last().map(|n| (n.offset, n.length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offending_attribute_of_an_echoed_request() {
        use crate::model::Value;
        let mut req = Node::new("request", "nlmsgerr.request", Value::None, 20, 36);
        let mut nest = Node::new("attr 1", "x.nest", Value::None, 40, 16);
        nest.children.push(Node::new(
            "attr 2",
            "x.name",
            Value::Str("veth0".into()),
            44,
            12,
        ));
        req.children
            .push(Node::new("nlmsg_len", "nlmsg.len", Value::Uint(36), 20, 4));
        req.children.push(nest);
        let mut ext = Node::new("extended ack", "nlmsgerr", Value::None, 56, 8);
        ext.children.push(Node::new(
            "NLMSGERR_ATTR_OFFS",
            "nlmsgerr.offs",
            Value::Uint(26),
            60,
            4,
        ));
        let tree = vec![
            Node::new("error", "nlmsg.error", Value::Int(-22), 16, 4),
            req.clone(),
            ext,
        ];
        // 20 + 26 = byte 46: inside attr 2.
        assert_eq!(offending_attr(&tree), Some((44, 12)));
        assert_eq!(offending_attr(&tree[..2]), None);
        assert_eq!(offending_attr(&[req]), None);
    }
}
