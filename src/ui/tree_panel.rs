//! The protocol tree panel: the tree of the selected message, the selected node and the
//! Expand all / Collapse all request. Clicks and context-menu choices are reported as
//! [`Action`]s.

use std::fmt::Write as _;
use std::rc::Rc;

use egui::{Color32, RichText, Ui, collapsing_header::CollapsingState};

use super::view::Action;
use crate::model::{Node, Severity, Value};

/// State of the tree panel.
#[derive(Debug, Default)]
pub struct TreePanel {
    /// Tree of the selected message.
    pub tree: Option<Rc<Vec<Node>>>,
    /// Selected tree node, as child indices from the root list.
    pub selected_node: Option<Vec<usize>>,
    /// Force every tree node open (`Some(true)`) or closed on the next frame.
    pub open_all: Option<bool>,
    /// Open the selected node's ancestors and scroll it into view on the next frame (a
    /// click in the hex pane chose it).
    pub reveal: bool,
}

impl TreePanel {
    /// Show `tree` (a newly selected message), with no node selected.
    pub(super) fn show(&mut self, tree: Option<Rc<Vec<Node>>>) {
        self.tree = tree;
        self.selected_node = None;
    }

    /// The node at `path` in the tree.
    pub fn node_at(&self, path: &[usize]) -> Option<&Node> {
        let tree = self.tree.as_ref()?;
        let (first, rest) = path.split_first()?;
        let mut n = tree.get(*first)?;
        for i in rest {
            n = n.children.get(*i)?;
        }
        Some(n)
    }

    /// The path (child indices) of the deepest node covering frame byte `pos`.
    pub fn path_at(&self, pos: usize) -> Option<Vec<usize>> {
        let tree = self.tree.as_ref()?;
        let chain = Node::deepest_at(tree, pos)?;
        // Turn the chain of nodes into child indices.
        let mut path = Vec::with_capacity(chain.len());
        let mut level: &[Node] = tree;
        for n in chain {
            let Some(i) = level.iter().position(|c| std::ptr::eq(c, n)) else {
                break;
            };
            path.push(i);
            level = &n.children;
        }
        Some(path)
    }

    /// Draw the tree of message `msg` (its store index keys the open/closed state).
    pub(super) fn ui(&mut self, ui: &mut Ui, msg: usize, actions: &mut Vec<Action>) {
        let Some(tree) = self.tree.clone() else {
            ui.centered_and_justified(|ui| ui.weak("Select a message to see its protocol tree"));
            return;
        };
        let open_all = self.open_all.take();
        let scroll = std::mem::take(&mut self.reveal);
        egui::ScrollArea::both()
            .id_salt("tree-scroll")
            .auto_shrink(false)
            .show(ui, |ui| {
                // Ids as node_ui makes them.
                if scroll && let Some(sel) = &self.selected_node {
                    for k in 1..sel.len() {
                        let prefix = sel.get(..k).unwrap_or_default().to_vec();
                        let id = egui::Id::unique(("node", msg, prefix));
                        let mut st = CollapsingState::load_with_default_open(ui.ctx(), id, false);
                        st.set_open(true);
                        st.store(ui.ctx());
                    }
                }
                for (k, n) in tree.iter().enumerate() {
                    self.node_ui(ui, n, &mut vec![k], msg, (open_all, scroll), actions);
                }
            });
    }

    fn node_ui(
        &self,
        ui: &mut Ui,
        n: &Node,
        path: &mut Vec<usize>,
        msg: usize,
        (open_all, scroll): (Option<bool>, bool),
        actions: &mut Vec<Action>,
    ) {
        let selected = self.selected_node.as_deref() == Some(path.as_slice());
        let text = node_text(n);
        let color = n
            .expert
            .as_ref()
            .map(|e| severity_color(e.severity))
            .or_else(|| {
                // Conversation links look like links: a double click follows them.
                is_link(n).then(|| ui.visuals().hyperlink_color)
            });
        let mut rt = RichText::new(text);
        if let Some(c) = color {
            rt = rt.color(c);
        }
        let label = |ui: &mut Ui| -> egui::Response {
            let r = ui.add(egui::Button::selectable(selected, rt.clone()));
            let hover = format!(
                "{}\n{} byte{} at offset {:#06x} ({}){}",
                if n.field.is_empty() {
                    "(no field)"
                } else {
                    &n.field
                },
                n.length,
                if n.length == 1 { "" } else { "s" },
                n.offset,
                n.offset,
                n.expert
                    .as_ref()
                    .map(|e| format!("\n[{}] {}", e.severity.as_str(), e.text))
                    .unwrap_or_default()
            );
            r.on_hover_text(hover)
        };
        let resp = if n.children.is_empty() {
            ui.horizontal(|ui| {
                ui.add_space(ui.spacing().indent);
                label(ui)
            })
            .inner
        } else {
            // Not relative to `ui`: a nested body's ui has its own id, and the reveal above
            // opens ancestors from the scroll area's ui.
            let id = egui::Id::unique(("node", msg, path.clone()));
            // Top-level protocol nodes start open; the frame summary, the cooked header and
            // the changes (their line lists the first ones) closed.
            let default_open =
                path.len() == 1 && !matches!(n.field.as_ref(), "frame" | "sll" | "nlmsg.changes");
            let mut state = CollapsingState::load_with_default_open(ui.ctx(), id, default_open);
            if let Some(o) = open_all {
                state.set_open(o);
            }
            let hr = state.show_header(ui, label);
            let (_, header, _) = hr.body(|ui| {
                for (k, c) in n.children.iter().enumerate() {
                    path.push(k);
                    self.node_ui(ui, c, path, msg, (open_all, scroll), actions);
                    path.pop();
                }
            });
            header.inner
        };
        if selected && scroll {
            resp.scroll_to_me(Some(egui::Align::Center));
        }
        if resp.clicked() {
            actions.push(Action::SelectNode(path.clone()));
        }
        // A conversation link (`[Request in]`...) leads to its message on a double click.
        if resp.double_clicked() && is_link(n) {
            actions.push(Action::GoToLinked(n.field.to_string()));
        }
        resp.context_menu(|ui| context_menu(ui, n, actions));
    }
}

/// A node's context menu: copy, filter on it, expand or collapse all.
/// A generated conversation node that names another message.
fn is_link(n: &Node) -> bool {
    matches!(
        n.field.as_ref(),
        "nlmsg.request_in" | "nlmsg.caused_by" | "nlmsg.response_in"
    )
}

fn context_menu(ui: &mut Ui, n: &Node, actions: &mut Vec<Action>) {
    if is_link(n) {
        if ui.button(format!("Go to {}", n.display_text())).clicked() {
            actions.push(Action::GoToLinked(n.field.to_string()));
            ui.close();
        }
        ui.separator();
    }
    let value = n.display_text().into_owned();
    if ui.button("Copy value").clicked() {
        actions.push(Action::Copy(value));
        ui.close();
    }
    if ui.button("Copy field path").clicked() {
        actions.push(Action::Copy(n.field.to_string()));
        ui.close();
    }
    let expr = filter_expr(n);
    ui.separator();
    if ui
        .add_enabled(expr.is_some(), egui::Button::new("Apply as filter"))
        .clicked()
    {
        if let Some(e) = &expr {
            actions.push(Action::ApplyFilter(e.clone()));
        }
        ui.close();
    }
    if ui
        .add_enabled(expr.is_some(), egui::Button::new("Prepare as filter"))
        .clicked()
    {
        if let Some(e) = &expr {
            actions.push(Action::PrepareFilter(e.clone()));
        }
        ui.close();
    }
    if ui
        .add_enabled(!n.field.is_empty(), egui::Button::new("Apply as Column"))
        .on_hover_text("Show this field's value in a packet-list column")
        .clicked()
    {
        actions.push(Action::AddColumn(n.field.to_string(), n.name.to_string()));
        ui.close();
    }
    ui.separator();
    if ui.button("Decode As...").clicked() {
        actions.push(Action::OpenDecodeAs);
        ui.close();
    }
    ui.separator();
    if ui.button("Expand all").clicked() {
        actions.push(Action::OpenAll(true));
        ui.close();
    }
    if ui.button("Collapse all").clicked() {
        actions.push(Action::OpenAll(false));
        ui.close();
    }
}

/// `name: display`, or the name alone.
pub fn node_text(n: &Node) -> String {
    let mut s = String::with_capacity(n.name.len() + n.display_text().len() + 4);
    if n.expert.is_some() && n.name == "expert" {
        let _ = write!(s, "[!] {}", n.display_text());
        return s;
    }
    s.push_str(&n.name);
    if !n.display_text().is_empty() {
        s.push_str(": ");
        s.push_str(&n.display_text());
    }
    if let Some(e) = &n.expert {
        let _ = write!(s, "  [{}] {}", e.severity.as_str(), e.text);
    }
    s
}

/// A display-filter expression selecting this node's value, if it has a field path.
pub fn filter_expr(n: &Node) -> Option<String> {
    if n.field.is_empty() {
        return None;
    }
    let f = &n.field;
    Some(match &n.value {
        Value::None => f.to_string(),
        Value::Uint(u) => format!("{f} == {u}"),
        Value::Int(i) => format!("{f} == {i}"),
        Value::Bool(b) => format!("{f} == {}", u8::from(*b)),
        Value::Str(s) => {
            let esc = s.replace('\\', "\\\\").replace('"', "\\\"");
            format!("{f} == \"{esc}\"")
        }
        Value::Bytes(b) if !b.is_empty() && b.len() <= 64 => {
            let hex: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("{f} == {}", hex.join(":"))
        }
        Value::Bytes(_) => f.to_string(),
        Value::Enum { name, value } => {
            if name.is_empty() {
                format!("{f} == {value}")
            } else {
                format!("{f} == {name}")
            }
        }
        Value::Flags { value, .. } => format!("{f} == {value:#x}"),
        Value::Ipv4(_) | Value::Ipv6(_) | Value::Mac(_) => format!("{f} == {}", n.value.display()),
    })
}

/// The text colour of an expert note (tree nodes, list rows).
pub(super) fn severity_color(s: Severity) -> Color32 {
    match s {
        Severity::Error => Color32::from_rgb(0xff, 0x55, 0x55),
        Severity::Warning => Color32::from_rgb(0xe6, 0xa2, 0x1a),
        Severity::Note => Color32::from_rgb(0x4a, 0xa8, 0xe8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_expressions_quote_strings() {
        let n = Node::new(
            "IFLA_IFNAME",
            "rt-link.ifname",
            Value::Str("a\"b".into()),
            0,
            4,
        );
        assert_eq!(filter_expr(&n).unwrap(), "rt-link.ifname == \"a\\\"b\"");
        let n = Node::new("x", "", Value::Uint(1), 0, 4);
        assert_eq!(filter_expr(&n), None);
    }
}
