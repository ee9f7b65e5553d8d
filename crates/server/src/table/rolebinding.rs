//! `RoleBinding` and `ClusterRoleBinding` (rbac.authorization.k8s.io): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "rbac.authorization.k8s.io",
    kinds: &["RoleBinding", "ClusterRoleBinding"],
    columns: &[
        NAME,
        Column::new(
            "Role",
            "string",
            0,
            "RoleRef references the Role in the current namespace or a ClusterRole in the global namespace.",
        ),
        AGE,
        Column::new("Users", "string", 1, "Users in the binding"),
        Column::new("Groups", "string", 1, "Groups in the binding"),
        Column::new(
            "ServiceAccounts",
            "string",
            1,
            "ServiceAccounts in the binding",
        ),
    ],
    row: |c, v| {
        let mut users = Vec::new();
        let mut groups = Vec::new();
        let mut sas = Vec::new();
        for subject in array_at(v, "/subjects") {
            match str_at(subject, "/kind") {
                "User" => users.push(str_at(subject, "/name").to_string()),
                "Group" => groups.push(str_at(subject, "/name").to_string()),
                "ServiceAccount" => sas.push(format!(
                    "{}/{}",
                    str_at(subject, "/namespace"),
                    str_at(subject, "/name")
                )),
                _ => {}
            }
        }
        (
            vec![
                json!(str_at(v, "/metadata/name")),
                json!(format!(
                    "{}/{}",
                    str_at(v, "/roleRef/kind"),
                    str_at(v, "/roleRef/name")
                )),
                json!(c.since(nonempty_str_at(v, "/metadata/creationTimestamp"))),
                json!(users.join(", ")),
                json!(groups.join(", ")),
                json!(sas.join(", ")),
            ],
            None,
        )
    },
};
