#!/usr/bin/env bash
# Makes the demo's TLS material. NOT FOR PRODUCTION - demo only, the private key is public:
# anyone can impersonate a server that uses it. Run from this folder: ./make-demo-certs.sh
# (needs openssl). A CA and a server certificate it signs, with SANs for 127.0.0.1, ::1 and
# localhost, valid for 100 years; the CA's key is thrown away.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/ca-key.pem" \
  -out demo-ca.NOT-FOR-PRODUCTION.pem -days $days \
  -subj "/CN=asyncore samples demo CA - NOT FOR PRODUCTION, the key is public" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout demo-server-key.NOT-FOR-PRODUCTION.pem \
  -subj "/CN=localhost/O=asyncore samples demo - NOT FOR PRODUCTION, the key is public" \
  -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
| openssl x509 -req -CA demo-ca.NOT-FOR-PRODUCTION.pem -CAkey "$tmp/ca-key.pem" -CAserial "$tmp/ca.srl" \
  -CAcreateserial -days $days -copy_extensions copy -out demo-server.NOT-FOR-PRODUCTION.pem
