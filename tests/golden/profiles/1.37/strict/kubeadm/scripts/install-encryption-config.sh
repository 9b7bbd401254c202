#!/bin/sh
# Rendered by kgen 0.1.0 from profile 'strict' for Kubernetes 1.37 (target kubeadm).
# Do not edit: change the profile and run `kgen render`. Why each value is here: `kgen explain strict -k 1.37`.
# Writes /etc/kubernetes/hardening/encryption-config.yaml on a control-plane node from the key kept there.
# The key never leaves the node: this script reads it from the key file and writes the
# configuration with mode 600. Run it as root on every control-plane node before kube-apiserver starts.
set -eu
KEY_KGEN_ENCRYPTION_KEY_FROM_NODE=$(tr -d '\n' < /etc/kubernetes/pki/encryption/key.b64)
# The key goes between YAML double quotes: refuse anything but base64, as kube-apiserver would.
case "${KEY_KGEN_ENCRYPTION_KEY_FROM_NODE}" in
  '' | *[!A-Za-z0-9+/=]*) echo 'not a base64 key:' /etc/kubernetes/pki/encryption/key.b64 >&2; exit 1 ;;
esac
umask 077
mkdir -p "$(dirname /etc/kubernetes/hardening/encryption-config.yaml)"
cat > /etc/kubernetes/hardening/encryption-config.yaml.tmp <<KGEN_EOF
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration  # CIS 1.2.27; CIS 1.2.28; from encryption.provider
resources:
- resources:
  - secrets
  providers:
  - secretbox:
      keys:
      - name: key1
        secret: "${KEY_KGEN_ENCRYPTION_KEY_FROM_NODE}"
  - identity: {}
KGEN_EOF
mv /etc/kubernetes/hardening/encryption-config.yaml.tmp /etc/kubernetes/hardening/encryption-config.yaml
