//! `kbundle serve` against real kubectl 1.32 and kube-rs.
