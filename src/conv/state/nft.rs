//! nftables in the state: tables, chains, sets (with their elements) and rules from the
//! kernel's `NFT_MSG_NEW*`/`DEL*` (dump replies and notifications), printed as `nft list
//! ruleset` prints them. Each object's text is the nft syntax the nftables family module
//! writes for the message (its summary), so rules are decompiled once, in one place.

use serde_json::{Map, Value, json};

/// The nftables objects known, in the order the kernel first reported them.
#[derive(Debug, Clone, Default)]
pub struct Nft {
    tables: Vec<Table>,
}

#[derive(Debug, Clone)]
struct Table {
    family: String,
    name: String,
    sets: Vec<Set>,
    chains: Vec<Chain>,
}

#[derive(Debug, Clone)]
struct Set {
    name: String,
    /// `type ipv4_addr`, `flags interval`...
    spec: Vec<String>,
    elements: Vec<String>,
}

#[derive(Debug, Clone)]
struct Chain {
    name: String,
    /// `type filter hook input priority filter; policy accept;` for a base chain.
    spec: Option<String>,
    /// (handle bytes, rule text).
    rules: Vec<(Vec<u8>, String)>,
}

/// Most objects of each list (bounded memory for hostile input).
const MAX: usize = 100_000;

/// The words of `s` up to a `{`, and what is between the outer braces.
fn split(s: &str) -> (Vec<&str>, Option<&str>) {
    match s.split_once(" {") {
        Some((head, rest)) => (
            head.split_whitespace().collect(),
            Some(rest.trim().trim_end_matches('}').trim()),
        ),
        None => (s.split_whitespace().collect(), None),
    }
}

impl Nft {
    fn table(&mut self, family: &str, name: &str, create: bool) -> Option<&mut Table> {
        let i = match self
            .tables
            .iter()
            .position(|t| t.family == family && t.name == name)
        {
            Some(i) => i,
            None if create && self.tables.len() < MAX => {
                self.tables.push(Table {
                    family: family.into(),
                    name: name.into(),
                    sets: Vec::new(),
                    chains: Vec::new(),
                });
                self.tables.len() - 1
            }
            None => return None,
        };
        self.tables.get_mut(i)
    }

    /// Apply one message from the kernel: `msg` is its nftables message number (the low
    /// byte of the type), `summary` its nft text (`table inet filter`, `rule inet filter
    /// input tcp dport 22 accept`...), `handle` a rule's handle attribute.
    pub fn apply(&mut self, msg: u16, summary: &str, handle: Option<&[u8]>) {
        let (words, body) = split(summary);
        let add = msg.is_multiple_of(3);
        match (msg / 3, words.as_slice()) {
            // NFT_MSG_NEWTABLE / DELTABLE
            (0, ["table", fam, name, ..]) => {
                if add {
                    self.table(fam, name, true);
                } else {
                    self.tables
                        .retain(|t| !(t.family == *fam && t.name == *name));
                }
            }
            // NFT_MSG_NEWCHAIN / DELCHAIN
            (1, ["chain", fam, table, name, ..]) => {
                let Some(t) = self.table(fam, table, add) else {
                    return;
                };
                let at = t.chains.iter().position(|c| c.name == *name);
                match (add, at) {
                    (true, Some(i)) => {
                        if let Some(c) = t.chains.get_mut(i) {
                            c.spec = body.map(str::to_string);
                        }
                    }
                    (true, None) if t.chains.len() < MAX => t.chains.push(Chain {
                        name: (*name).into(),
                        spec: body.map(str::to_string),
                        rules: Vec::new(),
                    }),
                    (false, Some(i)) => {
                        t.chains.remove(i);
                    }
                    _ => {}
                }
            }
            // NFT_MSG_NEWRULE / DELRULE
            (2, ["rule", fam, table, chain, ..]) => {
                let Some(c) = self
                    .table(fam, table, false)
                    .and_then(|t| t.chains.iter_mut().find(|c| c.name == *chain))
                else {
                    return;
                };
                let Some(h) = handle else {
                    return;
                };
                let text = summary
                    .splitn(5, ' ')
                    .nth(4)
                    .unwrap_or_default()
                    .to_string();
                match c.rules.iter().position(|r| r.0 == h) {
                    Some(i) if add => {
                        if let Some(r) = c.rules.get_mut(i) {
                            r.1 = text;
                        }
                    }
                    Some(i) => {
                        c.rules.remove(i);
                    }
                    None if add && c.rules.len() < MAX => c.rules.push((h.to_vec(), text)),
                    None => {}
                }
            }
            // NFT_MSG_NEWSET / DELSET
            (3, ["set", fam, table, name, ..]) => {
                let Some(t) = self.table(fam, table, add) else {
                    return;
                };
                let at = t.sets.iter().position(|s| s.name == *name);
                let spec: Vec<String> = body
                    .unwrap_or_default()
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                match (add, at) {
                    (true, Some(i)) => {
                        if let Some(s) = t.sets.get_mut(i) {
                            s.spec = spec;
                        }
                    }
                    (true, None) if t.sets.len() < MAX => t.sets.push(Set {
                        name: (*name).into(),
                        spec,
                        elements: Vec::new(),
                    }),
                    (false, Some(i)) => {
                        t.sets.remove(i);
                    }
                    _ => {}
                }
            }
            // NFT_MSG_NEWSETELEM / DELSETELEM
            (4, ["element", fam, table, set, ..]) => {
                let Some(s) = self
                    .table(fam, table, false)
                    .and_then(|t| t.sets.iter_mut().find(|s| s.name == *set))
                else {
                    return;
                };
                for e in body.unwrap_or_default().split(", ").map(str::trim) {
                    if e.is_empty() {
                        continue;
                    }
                    let at = s.elements.iter().position(|x| x == e);
                    match (add, at) {
                        (true, None) if s.elements.len() < MAX => s.elements.push(e.into()),
                        (false, Some(i)) => {
                            s.elements.remove(i);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// As `nft list ruleset` prints it (anonymous sets, which live inside their rules, are
    /// not listed).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for t in &self.tables {
            out.push_str(&format!("table {} {} {{\n", t.family, t.name));
            let mut blocks: Vec<String> = Vec::new();
            for s in t.sets.iter().filter(|s| !s.name.starts_with("__")) {
                let mut b = format!("\tset {} {{\n", s.name);
                for l in &s.spec {
                    b.push_str(&format!("\t\t{l}\n"));
                }
                if !s.elements.is_empty() {
                    b.push_str(&format!("\t\telements = {{ {} }}\n", s.elements.join(", ")));
                }
                b.push_str("\t}\n");
                blocks.push(b);
            }
            for c in &t.chains {
                let mut b = format!("\tchain {} {{\n", c.name);
                if let Some(s) = &c.spec {
                    b.push_str(&format!("\t\t{s}\n"));
                }
                for (_, r) in &c.rules {
                    b.push_str(&format!("\t\t{r}\n"));
                }
                b.push_str("\t}\n");
                blocks.push(b);
            }
            out.push_str(&blocks.join("\n"));
            out.push_str("}\n");
        }
        out
    }

    /// In the shape of `nft -j list ruleset` for tables, chains and sets; a rule carries its
    /// nft text (`"text"`) rather than nft's expression objects.
    pub fn json(&self) -> Value {
        let mut items = Vec::new();
        for t in &self.tables {
            items.push(json!({"table": {"family": t.family, "name": t.name}}));
            for s in t.sets.iter().filter(|s| !s.name.starts_with("__")) {
                let mut o = Map::new();
                o.insert("family".into(), json!(t.family));
                o.insert("table".into(), json!(t.name));
                o.insert("name".into(), json!(s.name));
                for l in &s.spec {
                    if let Some((k, v)) = l.split_once(' ') {
                        o.insert(k.into(), json!(v));
                    }
                }
                if !s.elements.is_empty() {
                    o.insert("elem".into(), json!(s.elements));
                }
                items.push(json!({ "set": o }));
            }
            for c in &t.chains {
                let mut o = Map::new();
                o.insert("family".into(), json!(t.family));
                o.insert("table".into(), json!(t.name));
                o.insert("name".into(), json!(c.name));
                if let Some(spec) = &c.spec {
                    let w: Vec<&str> = spec.split([' ', ';']).filter(|x| !x.is_empty()).collect();
                    for (k, j) in [
                        ("type", "type"),
                        ("hook", "hook"),
                        ("priority", "prio"),
                        ("policy", "policy"),
                    ] {
                        if let Some(v) = w.iter().position(|x| *x == k).and_then(|i| w.get(i + 1)) {
                            o.insert(j.into(), json!(v));
                        }
                    }
                }
                items.push(json!({ "chain": o }));
                for (_, r) in &c.rules {
                    items.push(json!({"rule": {
                        "family": t.family, "table": t.name, "chain": c.name, "text": r,
                    }}));
                }
            }
        }
        json!({ "nftables": items })
    }
}
