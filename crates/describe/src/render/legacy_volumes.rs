//! The deprecated in-tree volume types, printed the way kubectl prints them
//! (Go `%v` of the raw fields: slices as `[a b]`, unset secret references
//! as `nil`, maps as `map[k:v]`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{LocalObjectReference, Volume};

use super::common::s;

use super::common::flag as b;

fn slice(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// `%v` of a `*LocalObjectReference` (its generated `String()`).
fn secret_ref(r: Option<&LocalObjectReference>) -> String {
    r.map_or_else(
        || "nil".to_string(),
        |r| format!("&LocalObjectReference{{Name:{},}}", r.name),
    )
}

fn go_map(m: Option<&BTreeMap<String, String>>) -> String {
    let inner: Vec<String> = m
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect();
    format!("map[{}]", inner.join(" "))
}

/// The text kubectl writes (at level 2) for a legacy volume source, if `v`
/// has one.
pub(crate) fn legacy_volume(v: &Volume) -> Option<String> {
    if let Some(i) = &v.iscsi {
        return Some(format!(
            "Type:\tISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)\n    TargetPortal:\t{}\n    IQN:\t{}\n    Lun:\t{}\n    ISCSIInterface\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n    Portals:\t{}\n    DiscoveryCHAPAuth:\t{}\n    SessionCHAPAuth:\t{}\n    SecretRef:\t{}\n    InitiatorName:\t{}\n",
            i.target_portal,
            i.iqn,
            i.lun,
            s(&i.iscsi_interface),
            s(&i.fs_type),
            b(i.read_only),
            slice(i.portals.as_deref().unwrap_or_default()),
            b(i.chap_auth_discovery),
            b(i.chap_auth_session),
            secret_ref(i.secret_ref.as_ref()),
            i.initiator_name.as_deref().unwrap_or("<none>")
        ));
    }
    if let Some(g) = &v.glusterfs {
        return Some(format!(
            "Type:\tGlusterfs (a Glusterfs mount on the host that shares a pod's lifetime)\n    EndpointsName:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
            g.endpoints,
            g.path,
            b(g.read_only)
        ));
    }
    if let Some(r) = &v.rbd {
        return Some(format!(
            "Type:\tRBD (a Rados Block Device mount on the host that shares a pod's lifetime)\n    CephMonitors:\t{}\n    RBDImage:\t{}\n    FSType:\t{}\n    RBDPool:\t{}\n    RadosUser:\t{}\n    Keyring:\t{}\n    SecretRef:\t{}\n    ReadOnly:\t{}\n",
            slice(&r.monitors),
            r.image,
            s(&r.fs_type),
            s(&r.pool),
            s(&r.user),
            s(&r.keyring),
            secret_ref(r.secret_ref.as_ref()),
            b(r.read_only)
        ));
    }
    if let Some(q) = &v.quobyte {
        return Some(format!(
            "Type:\tQuobyte (a Quobyte mount on the host that shares a pod's lifetime)\n    Registry:\t{}\n    Volume:\t{}\n    ReadOnly:\t{}\n",
            q.registry,
            q.volume,
            b(q.read_only)
        ));
    }
    if let Some(a) = &v.azure_disk {
        return Some(format!(
            "Type:\tAzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)\n    DiskName:\t{}\n    DiskURI:\t{}\n    Kind: \t{}\n    FSType:\t{}\n    CachingMode:\t{}\n    ReadOnly:\t{}\n",
            a.disk_name,
            a.disk_uri,
            s(&a.kind),
            s(&a.fs_type),
            s(&a.caching_mode),
            b(a.read_only)
        ));
    }
    if let Some(vs) = &v.vsphere_volume {
        return Some(format!(
            "Type:\tvSphereVolume (a Persistent Disk resource in vSphere)\n    VolumePath:\t{}\n    FSType:\t{}\n    StoragePolicyName:\t{}\n",
            vs.volume_path,
            s(&vs.fs_type),
            s(&vs.storage_policy_name)
        ));
    }
    if let Some(c) = &v.cinder {
        return Some(format!(
            "Type:\tCinder (a Persistent Disk resource in OpenStack)\n    VolumeID:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n    SecretRef:\t{}\n",
            c.volume_id,
            s(&c.fs_type),
            b(c.read_only),
            secret_ref(c.secret_ref.as_ref())
        ));
    }
    if let Some(p) = &v.photon_persistent_disk {
        return Some(format!(
            "Type:\tPhotonPersistentDisk (a Persistent Disk resource in photon platform)\n    PdID:\t{}\n    FSType:\t{}\n",
            p.pd_id,
            s(&p.fs_type)
        ));
    }
    if let Some(p) = &v.portworx_volume {
        return Some(format!(
            "Type:\tPortworxVolume (a Portworx Volume resource)\n    VolumeID:\t{}\n",
            p.volume_id
        ));
    }
    if let Some(sio) = &v.scale_io {
        return Some(format!(
            "Type:\tScaleIO (a persistent volume backed by a block device in ScaleIO)\n    Gateway:\t{}\n    System:\t{}\n    Protection Domain:\t{}\n    Storage Pool:\t{}\n    Storage Mode:\t{}\n    VolumeName:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
            sio.gateway,
            sio.system,
            s(&sio.protection_domain),
            s(&sio.storage_pool),
            s(&sio.storage_mode),
            s(&sio.volume_name),
            s(&sio.fs_type),
            b(sio.read_only)
        ));
    }
    if let Some(c) = &v.cephfs {
        return Some(format!(
            "Type:\tCephFS (a CephFS mount on the host that shares a pod's lifetime)\n    Monitors:\t{}\n    Path:\t{}\n    User:\t{}\n    SecretFile:\t{}\n    SecretRef:\t{}\n    ReadOnly:\t{}\n",
            slice(&c.monitors),
            s(&c.path),
            s(&c.user),
            s(&c.secret_file),
            secret_ref(c.secret_ref.as_ref()),
            b(c.read_only)
        ));
    }
    if let Some(so) = &v.storageos {
        return Some(format!(
            "Type:\tStorageOS (a StorageOS Persistent Disk resource)\n    VolumeName:\t{}\n    VolumeNamespace:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
            s(&so.volume_name),
            s(&so.volume_namespace),
            s(&so.fs_type),
            b(so.read_only)
        ));
    }
    if let Some(a) = &v.azure_file {
        return Some(format!(
            "Type:\tAzureFile (an Azure File Service mount on the host and bind mount to the pod)\n    SecretName:\t{}\n    ShareName:\t{}\n    ReadOnly:\t{}\n",
            a.secret_name,
            a.share_name,
            b(a.read_only)
        ));
    }
    if let Some(f) = &v.flex_volume {
        return Some(format!(
            "Type:\tFlexVolume (a generic volume resource that is provisioned/attached using an exec based plugin)\n    Driver:\t{}\n    FSType:\t{}\n    SecretRef:\t{}\n    ReadOnly:\t{}\n    Options:\t{}\n",
            f.driver,
            s(&f.fs_type),
            secret_ref(f.secret_ref.as_ref()),
            b(f.read_only),
            go_map(f.options.as_ref())
        ));
    }
    if let Some(f) = &v.flocker {
        return Some(format!(
            "Type:\tFlocker (a Flocker volume mounted by the Flocker agent)\n    DatasetName:\t{}\n    DatasetUUID:\t{}\n",
            s(&f.dataset_name),
            s(&f.dataset_uuid)
        ));
    }
    None
}
