#!/bin/sh
# Rendered by kgen 0.1.0 from profile 'cis' for Kubernetes 1.37 (target kind).
# Do not edit: change the profile and run `kgen render`. Why each value is here: `kgen explain cis -k 1.37`.
# Writes /tmp/kgen-kind-cis/encryption-config.yaml, which kind mounts at /etc/kubernetes/hardening/encryption-config.yaml.
# kind cannot run a command on its node before kube-apiserver starts, so the key is made here, on the
# machine that runs kind, in a folder outside the rendered output: the key never enters out/. An
# existing file is kept, so running this again does not lock a running cluster out of its secrets.
set -eu
umask 077
if [ -e /tmp/kgen-kind-cis/encryption-config.yaml ]; then
  echo "kept /tmp/kgen-kind-cis/encryption-config.yaml"
  exit 0
fi
mkdir -p /tmp/kgen-kind-cis
if [ -L /tmp/kgen-kind-cis ] || [ ! -O /tmp/kgen-kind-cis ]; then
  echo "refusing to write the key: /tmp/kgen-kind-cis is a link or not yours" >&2
  exit 1
fi
KGEN_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
cat > /tmp/kgen-kind-cis/encryption-config.yaml.tmp <<KGEN_EOF
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration  # CIS 1.2.27; CIS 1.2.28; from encryption.provider
resources:
- resources:
  - secrets
  providers:
  - secretbox:
      keys:
      - name: key1
        secret: "${KGEN_ENCRYPTION_KEY}"
  - identity: {}
KGEN_EOF
mv /tmp/kgen-kind-cis/encryption-config.yaml.tmp /tmp/kgen-kind-cis/encryption-config.yaml
echo "wrote /tmp/kgen-kind-cis/encryption-config.yaml"
