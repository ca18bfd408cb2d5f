//! gene-vm
