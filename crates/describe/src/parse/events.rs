//! The events table that ends a describe, in kubectl's current and pre-1.11 layouts.

use crate::facts::EventFacts;

use super::{Line, is_elision};

/// Column starts of an events header, in characters.
#[derive(Debug, Default)]
pub(super) struct EventTable {
    columns: Option<[usize; 5]>,
    /// kubectl before 1.11 printed `FirstSeen LastSeen Count From
    /// SubObjectPath Type Reason Message`: the names and their starts.
    old: Option<Vec<(String, usize)>>,
}

impl EventTable {
    pub(super) fn line(&mut self, l: &Line<'_>, out: &mut Vec<EventFacts>) {
        let body = l.body;
        if body.starts_with("FirstSeen") {
            let chars: Vec<char> = l.raw.chars().collect();
            let mut cols = Vec::new();
            let mut from = 0;
            for word in body.split_whitespace() {
                let Some(pos) = find_word(chars.get(from..).unwrap_or(&[]), word) else {
                    break;
                };
                cols.push((word.to_string(), from + pos));
                from += pos + word.chars().count();
            }
            self.old = Some(cols);
            self.columns = None;
            return;
        }
        if body.starts_with("Type") && body.contains("Reason") {
            self.old = None;
            let chars: Vec<char> = l.raw.chars().collect();
            let find = |word: &str| find_word(&chars, word);
            self.columns = match (
                find("Type"),
                find("Reason"),
                find("Age"),
                find("From"),
                find("Message"),
            ) {
                (Some(a), Some(b), Some(c), Some(d), Some(e))
                    if a < b && b < c && c < d && d < e =>
                {
                    Some([a, b, c, d, e])
                }
                _ => None,
            };
            return;
        }
        if body.starts_with("----") || is_elision(body) {
            return;
        }
        match self.row(l) {
            Some(e) => out.push(e),
            None => {
                self.wrapped(l, out);
            }
        }
    }

    /// A line that continues the last event's message (a terminal wrapped it): appended to
    /// it. False, and nothing done, when there is no event yet or the line is a shell prompt
    /// or command line (the next command's output begins).
    pub(super) fn wrapped(&mut self, l: &Line<'_>, out: &mut [EventFacts]) -> bool {
        let body = l.body.trim();
        if is_elision(body) {
            // Rows left out of the paste: nothing to add, the section goes on.
            return true;
        }
        let prompt = body.starts_with("$ ")
            || body.starts_with("# ")
            || body.starts_with("kubectl ")
            || body.contains("$ kubectl")
            || body.contains("# kubectl")
            || body.contains("> kubectl");
        match out.last_mut() {
            Some(last) if !prompt && !body.is_empty() => {
                if !last.message.is_empty() {
                    last.message.push(' ');
                }
                last.message.push_str(body);
                true
            }
            _ => false,
        }
    }

    pub(super) fn row(&self, l: &Line<'_>) -> Option<EventFacts> {
        if let Some(cols) = &self.old {
            return old_row(cols, l);
        }
        let fields = self
            .by_columns(l.raw)
            .or_else(|| by_separators(l.body))
            .or_else(|| by_tokens(l.body))?;
        let [type_, reason, age_text, from, message] = fields;
        if type_.is_empty() || reason.is_empty() || type_.contains(char::is_whitespace) {
            return None;
        }
        let (age, count, over) = parse_age(&age_text);
        Some(EventFacts {
            line: l.no,
            type_,
            reason,
            age,
            count,
            over,
            from,
            message,
        })
    }

    /// Exact split on the header's columns, when the row lines up with them.
    pub(super) fn by_columns(&self, raw: &str) -> Option<[String; 5]> {
        let cols = self.columns?;
        let chars: Vec<char> = raw.chars().collect();
        let [a, b, c, d, e] = cols;
        if chars.len() < e {
            return None;
        }
        // Each column must start right after a space and with a non-space
        // (the From column may be empty).
        for (i, &col) in cols.iter().enumerate().skip(1) {
            let before = chars.get(col.checked_sub(1)?)?;
            if *before != ' ' {
                return None;
            }
            let at = chars.get(col).copied().unwrap_or(' ');
            if at == ' ' && i != 3 {
                return None;
            }
        }
        let cell = |from: usize, to: usize| -> String {
            chars
                .get(from..to.min(chars.len()))
                .unwrap_or(&[])
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        };
        Some([
            cell(a, b),
            cell(b, c),
            cell(c, d),
            cell(d, e),
            cell(e, chars.len()),
        ])
    }
}

/// A row under a pre-1.11 `FirstSeen LastSeen Count From ...` header.
pub(super) fn old_row(cols: &[(String, usize)], l: &Line<'_>) -> Option<EventFacts> {
    let chars: Vec<char> = l.raw.chars().collect();
    let aligned = cols.iter().skip(1).all(|(_, p)| {
        p.checked_sub(1)
            .and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_whitespace())
    });
    let mut values: Vec<String> = if aligned && !l.raw.contains('\t') {
        cols.iter()
            .enumerate()
            .map(|(i, (_, start))| {
                let end = cols
                    .get(i + 1)
                    .map_or(chars.len(), |c| c.1)
                    .min(chars.len());
                chars
                    .get(*start..end)
                    .unwrap_or(&[])
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .collect()
    } else {
        let sep: Vec<String> = if l.body.contains('\t') {
            l.body
                .split('\t')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            l.body
                .split("  ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        sep
    };
    let index = |name: &str| cols.iter().position(|(n, _)| n.eq_ignore_ascii_case(name));
    if values.len() + 1 == cols.len()
        && let Some(i) = index("SubObjectPath")
    {
        values.insert(i, String::new());
    }
    if values.len() < cols.len() {
        // Keep the message whole when it had double spaces.
        return None;
    }
    if values.len() > cols.len() {
        let tail = values.split_off(cols.len() - 1).join("  ");
        values.push(tail);
    }
    let get = |name: &str| {
        index(name)
            .and_then(|i| values.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let reason = get("Reason");
    if reason.is_empty() {
        return None;
    }
    let count: Option<u64> = get("Count").parse().ok();
    let many = count.is_some_and(|c| c > 1);
    Some(EventFacts {
        line: l.no,
        type_: get("Type"),
        reason,
        age: get("LastSeen"),
        count: count.filter(|_| many),
        over: Some(get("FirstSeen")).filter(|_| many),
        from: get("From"),
        message: get("Message"),
    })
}

pub(super) fn find_word(chars: &[char], word: &str) -> Option<usize> {
    let w: Vec<char> = word.chars().collect();
    (0..chars.len()).find(|&i| {
        chars.get(i..i + w.len()) == Some(&w[..])
            && (i == 0 || chars.get(i - 1) == Some(&' ') || chars.get(i - 1) == Some(&'\t'))
    })
}

/// Splits on tabs or on runs of two or more spaces: type, reason, age, from,
/// and the rest as the message.
pub(super) fn by_separators(body: &str) -> Option<[String; 5]> {
    let mut fields: Vec<String> = Vec::new();
    if body.contains('\t') {
        fields = body
            .split('\t')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    } else {
        let mut rest = body;
        while fields.len() < 4 {
            match rest.find("  ") {
                Some(p) => {
                    fields.push(rest.get(..p).unwrap_or("").trim().to_string());
                    rest = rest.get(p..).unwrap_or("").trim_start();
                }
                None => break,
            }
        }
        if !rest.is_empty() {
            fields.push(rest.to_string());
        }
    }
    match fields.len() {
        n if n >= 5 => {
            let mut it = fields.into_iter();
            let mut next = || it.next().unwrap_or_default();
            let (a, b, c, d) = (next(), next(), next(), next());
            let rest: Vec<String> = std::iter::from_fn(|| it.next()).collect();
            Some([a, b, c, d, rest.join(" ")])
        }
        4 => {
            let mut it = fields.into_iter();
            let mut next = || it.next().unwrap_or_default();
            let (a, b, c, d) = (next(), next(), next(), next());
            if is_age(c.split_whitespace().next().unwrap_or("")) {
                // Either the source or the message is missing; kubectl rows
                // nearly always have a source, so the message is empty.
                Some([a, b, c, d, String::new()])
            } else {
                Some([a, b, String::new(), c, d])
            }
        }
        _ => None,
    }
}

/// Last resort for rows whose spacing collapsed to single spaces:
/// `Warning Unhealthy 59m (x7 over 2d2h) kubelet, node1 Readiness probe ...`.
pub(super) fn by_tokens(body: &str) -> Option<[String; 5]> {
    let tokens: Vec<&str> = body.split_whitespace().collect();
    let type_ = tokens.first()?;
    if !matches!(*type_, "Normal" | "Warning") {
        return None;
    }
    let reason = tokens.get(1)?;
    let mut i = 2;
    let mut age = String::new();
    if tokens.get(i).is_some_and(|t| is_age(t)) {
        age = tokens.get(i).map(|t| t.to_string()).unwrap_or_default();
        i += 1;
        if tokens.get(i).is_some_and(|t| t.starts_with("(x")) && tokens.get(i + 1) == Some(&"over")
        {
            let tail = tokens.get(i..i + 3).unwrap_or(&[]).join(" ");
            age = format!("{age} {tail}");
            i += 3;
        }
    }
    let mut from = String::new();
    if !age.is_empty()
        && let Some(t) = tokens.get(i)
    {
        from = t.to_string();
        i += 1;
        if from.ends_with(',')
            && let Some(host) = tokens.get(i)
        {
            from = format!("{from} {host}");
            i += 1;
        }
    }
    let message = tokens.get(i..).unwrap_or(&[]).join(" ");
    Some([type_.to_string(), reason.to_string(), age, from, message])
}

/// `4m58s`, `2d5h`, `<unknown>`, `<invalid>`.
pub(super) fn is_age(s: &str) -> bool {
    s == "<unknown>" || s == "<invalid>" || crate::parse_kubectl_duration(s).is_some()
}

/// `4m58s (x23 over 115m)` into (`4m58s`, 23, `115m`).
pub(super) fn parse_age(s: &str) -> (String, Option<u64>, Option<String>) {
    let s = s.trim();
    if let Some((age, rest)) = s.split_once(" (x")
        && let Some(inner) = rest.strip_suffix(')')
        && let Some((n, over)) = inner.split_once(" over ")
    {
        return (
            age.trim().to_string(),
            n.trim().parse().ok(),
            Some(over.trim().to_string()),
        );
    }
    (s.to_string(), None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lines;

    #[test]
    fn ages() {
        assert_eq!(
            parse_age("4m58s (x23 over 115m)"),
            ("4m58s".to_string(), Some(23), Some("115m".to_string()))
        );
        assert_eq!(parse_age("34s"), ("34s".to_string(), None, None));
        assert!(is_age("2d5h"));
        assert!(is_age("<unknown>"));
        assert!(!is_age("kubelet"));
        assert!(!is_age("5"));
    }

    #[test]
    fn collapsed_event_rows() {
        let t = EventTable::default();
        let l = lines(
            "   Warning FailedCreate 7s (x14 over 48s) replicaset-controller Error creating: denied",
        );
        let e = l.first().and_then(|l| t.row(l));
        let e = e.unwrap_or_default();
        assert_eq!(e.reason, "FailedCreate");
        assert_eq!(e.age, "7s");
        assert_eq!(e.count, Some(14));
        assert_eq!(e.over.as_deref(), Some("48s"));
        assert_eq!(e.from, "replicaset-controller");
        assert_eq!(e.message, "Error creating: denied");

        let l = lines(
            "  Warning  Unhealthy  59m (x7 over 2d2h)  kubelet, k8smater1  Readiness probe failed: x",
        );
        let e = l.first().and_then(|l| t.row(l)).unwrap_or_default();
        assert_eq!(e.from, "kubelet, k8smater1");
        assert_eq!(e.message, "Readiness probe failed: x");
    }
}
