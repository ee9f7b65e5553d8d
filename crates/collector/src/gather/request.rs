//! Requests: lists (every page, bounded) and gets, stored at their bundle paths, each with
//! a typed result ([`Miss`], [`Outcome`]) the phases decide on.

use kbundle_format::resources::ResourceType;
use serde_json::{Map, Value};

use super::{Ctx, enc};
use crate::api::Failure;

/// Why a list or a get gave nothing.
#[derive(Debug, Clone)]
pub(super) enum Miss {
    /// The server does not serve the resource (discovery did not name it): nothing was asked.
    Unserved,
    /// The request failed. Recorded in the manifest, except a get's `404` (the object does
    /// not exist).
    Failed(Failure),
}

/// What became of one lookup (a list, or a get of one object), as a phase's state keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Not asked: the server does not serve the resource, or the phase did not run.
    #[default]
    NotAsked,
    /// The object (or the list) was read.
    Found,
    /// A get answered `404`: the object does not exist.
    NotFound,
    /// The request failed (its error is in the manifest): what it would have said is
    /// unknown.
    Failed,
}

impl Outcome {
    /// The outcome of a get: a `404` says the object does not exist.
    pub(super) fn of_get<T>(result: &Result<T, Miss>) -> Outcome {
        match result {
            Ok(_) => Outcome::Found,
            Err(Miss::Unserved) => Outcome::NotAsked,
            Err(Miss::Failed(Failure::NotFound(_))) => Outcome::NotFound,
            Err(Miss::Failed(_)) => Outcome::Failed,
        }
    }

    /// The outcome of a list: every failure (a `404` included) leaves its items unknown.
    pub(super) fn of_list<T>(result: &Result<T, Miss>) -> Outcome {
        match result {
            Ok(_) => Outcome::Found,
            Err(Miss::Unserved) => Outcome::NotAsked,
            Err(Miss::Failed(_)) => Outcome::Failed,
        }
    }

    /// Whether the lookup failed (its answer is unknown).
    pub(super) fn failed(&self) -> bool {
        matches!(self, Outcome::Failed)
    }
}

/// Pages of one list, at most.
const MAX_PAGES: u32 = 1000;

/// Gives an item its apiVersion and kind (lists leave them out), first.
pub(super) fn normalize(item: Value, res: &ResourceType) -> Value {
    let Value::Object(map) = item else {
        return item;
    };
    let mut out = Map::new();
    let api_version = map
        .get("apiVersion")
        .cloned()
        .unwrap_or_else(|| Value::String(res.api_version()));
    let kind = map
        .get("kind")
        .cloned()
        .unwrap_or_else(|| Value::String(res.kind.clone()));
    out.insert("apiVersion".into(), api_version);
    out.insert("kind".into(), kind);
    for (k, v) in map {
        if k != "apiVersion" && k != "kind" {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

pub(super) fn list_path(res: &ResourceType, ns: Option<&str>) -> String {
    if res.group.is_empty() && res.plural == "nodes" {
        return "cluster/nodes.json".into();
    }
    match ns {
        Some(ns) if res.namespaced => {
            format!("namespaces/{ns}/{}/{}.json", res.group_dir(), res.plural)
        }
        _ => format!("cluster/{}/{}.json", res.group_dir(), res.plural),
    }
}

impl Ctx<'_> {
    /// Lists a resource (all pages), items normalized. Bounded: a page over
    /// `--max-response-bytes` is asked again with a smaller `limit` (down to one object), a
    /// list over `--max-objects` or [`MAX_PAGES`] pages, or one whose server repeats a
    /// `continue` token, is a failure; the objects of a failed list are not kept.
    async fn list_raw(
        &self,
        res: &ResourceType,
        ns: Option<&str>,
        query: &str,
    ) -> Result<Vec<Value>, Failure> {
        let mut items = Vec::new();
        let mut held = 0u64;
        let result = self.list_pages(res, ns, query, &mut items, &mut held).await;
        if let Err(f) = result {
            self.api.release(held);
            return Err(f);
        }
        self.progress.item(&res.plural);
        Ok(items)
    }

    async fn list_pages(
        &self,
        res: &ResourceType,
        ns: Option<&str>,
        query: &str,
        items: &mut Vec<Value>,
        held: &mut u64,
    ) -> Result<(), Failure> {
        let mut cont: Option<String> = None;
        let mut limit: u32 = 500;
        let mut pages = 0;
        loop {
            pages += 1;
            let mut url = format!("{}?limit={limit}", res.collection_path(ns));
            if !query.is_empty() {
                url.push('&');
                url.push_str(query);
            }
            if let Some(c) = &cont {
                url.push_str(&format!("&continue={}", enc(c)));
            }
            if pages > MAX_PAGES {
                return Err(Failure::OverLimit(format!(
                    "GET {}: more than {MAX_PAGES} pages; not kept",
                    res.collection_path(ns)
                )));
            }
            let mut v = match self.api.get_held(&url).await {
                Ok((v, h)) => {
                    *held += h;
                    v
                }
                Err(Failure::TooLarge(_)) if limit > 1 => {
                    // The same page again, in smaller pieces.
                    limit = (limit / 4).max(1);
                    pages -= 1;
                    continue;
                }
                Err(f) => return Err(f),
            };
            // The items are moved out of the page, not copied.
            if let Some(Value::Array(page)) = v.get_mut("items") {
                items.extend(std::mem::take(page).into_iter().map(|i| normalize(i, res)));
            }
            let max = self.options.max_objects;
            if items.len() as u64 > max {
                return Err(Failure::OverLimit(format!(
                    "GET {}: more than --max-objects {max} objects; not kept",
                    res.collection_path(ns)
                )));
            }
            let next =
                kbundle_format::json::nonempty_str_at(&v, "/metadata/continue").map(str::to_string);
            if next.is_some() && next == cont {
                return Err(Failure::OverLimit(format!(
                    "GET {}: the server gave the same continue token twice; not kept",
                    res.collection_path(ns)
                )));
            }
            cont = next;
            if cont.is_none() {
                return Ok(());
            }
        }
    }

    fn describe_list(res: &ResourceType, ns: Option<&str>, query: &str) -> String {
        let mut what = format!("list {}/{}", res.group_dir(), res.plural);
        if let Some(ns) = ns.filter(|_| res.namespaced) {
            what.push_str(&format!(" in {ns}"));
        }
        if !query.is_empty() {
            what.push_str(&format!(" ({query})"));
        }
        what
    }

    /// Lists and records a failure (the list is not stored).
    pub(super) async fn list(
        &self,
        group: &str,
        plural: &str,
        ns: Option<&str>,
        query: &str,
    ) -> Result<Vec<Value>, Miss> {
        let res = self.disc.find(group, plural).ok_or(Miss::Unserved)?.clone();
        match self.list_raw(&res, ns, query).await {
            Ok(items) => Ok(items),
            Err(f) => {
                self.error(Self::describe_list(&res, ns, query), &f);
                Err(Miss::Failed(f))
            }
        }
    }

    /// Lists `res` and stores the list at its bundle path; records a failure.
    pub(super) async fn collect_resource(
        &self,
        res: &ResourceType,
        ns: Option<&str>,
    ) -> Result<Vec<Value>, Miss> {
        match self.list_raw(res, ns, "").await {
            Ok(items) => {
                self.store_items(&list_path(res, ns), &items);
                Ok(items)
            }
            Err(f) => {
                self.error(Self::describe_list(res, ns, ""), &f);
                Err(Miss::Failed(f))
            }
        }
    }

    /// Lists `plural` of `group` and stores the list at its bundle path; records a failure.
    pub(super) async fn collect_list(
        &self,
        group: &str,
        plural: &str,
        ns: Option<&str>,
    ) -> Result<Vec<Value>, Miss> {
        let res = self.disc.find(group, plural).ok_or(Miss::Unserved)?.clone();
        self.collect_resource(&res, ns).await
    }

    /// Gets one object and stores it in the list of its kind; records a failure other than
    /// a `404` (after which the list, possibly empty, is stored: the object is known not to
    /// exist).
    pub(super) async fn get_into_list(
        &self,
        group: &str,
        plural: &str,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Value, Miss> {
        let res = self.disc.find(group, plural).ok_or(Miss::Unserved)?.clone();
        let url = format!("{}/{name}", res.collection_path(ns));
        let path = list_path(&res, ns);
        match self.api.get_held(&url).await {
            Ok((v, _held)) => {
                let v = normalize(v, &res);
                self.store_items(&path, std::slice::from_ref(&v));
                Ok(v)
            }
            Err(f @ Failure::NotFound(_)) => {
                // Known not to exist: the (possibly empty) list says so.
                self.store_items(&path, &[]);
                Err(Miss::Failed(f))
            }
            Err(f) => {
                let mut what = format!("get {}/{}", res.group_dir(), res.plural);
                if let Some(ns) = ns {
                    what.push_str(&format!(" {ns}/{name}"));
                } else {
                    what.push_str(&format!(" {name}"));
                }
                self.error(what, &f);
                Err(Miss::Failed(f))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcomes_of_gets_and_lists() {
        let found: Result<(), Miss> = Ok(());
        let unserved: Result<(), Miss> = Err(Miss::Unserved);
        let missing: Result<(), Miss> = Err(Miss::Failed(Failure::NotFound("404".into())));
        let forbidden: Result<(), Miss> = Err(Miss::Failed(Failure::Forbidden("403".into())));
        assert_eq!(Outcome::of_get(&found), Outcome::Found);
        assert_eq!(Outcome::of_get(&unserved), Outcome::NotAsked);
        assert_eq!(Outcome::of_get(&missing), Outcome::NotFound);
        assert_eq!(Outcome::of_get(&forbidden), Outcome::Failed);
        // A list's 404 leaves its items unknown: a failure, not "none".
        assert_eq!(Outcome::of_list(&missing), Outcome::Failed);
        assert_eq!(Outcome::of_list(&found), Outcome::Found);
        assert!(Outcome::of_list(&forbidden).failed() && !Outcome::NotFound.failed());
    }

    #[test]
    fn paths_and_encoding() {
        let r = ResourceType::new("", "v1", "Event", "events", true);
        assert_eq!(
            list_path(&r, Some("calico-system")),
            "namespaces/calico-system/core/events.json"
        );
        assert_eq!(
            enc("k8s-app=calico-kube-controllers"),
            "k8s-app%3Dcalico-kube-controllers"
        );
        let item = normalize(json!({"metadata": {"name": "x"}}), &r);
        assert_eq!(
            item.to_string(),
            r#"{"apiVersion":"v1","kind":"Event","metadata":{"name":"x"}}"#
        );
    }
}
