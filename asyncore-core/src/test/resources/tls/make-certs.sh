#!/usr/bin/env bash
# Makes the throwaway TLS material the tests use. NOT FOR PRODUCTION: the keys are public.
# Run from this folder: ./make-certs.sh (needs openssl). Certificates are valid for 100 years,
# except expired.pem, which ended in 2021.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
# 1. A CA, and a server certificate it signs, with SANs for 127.0.0.1, ::1 and localhost.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days $days \
  -subj "/CN=asyncore test CA (not for production)" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
| openssl x509 -req -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days $days -copy_extensions copy -out server.pem
# An unrelated CA: a client trusting only it refuses server.pem.
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca-key.pem -out other-ca.pem -days $days \
  -subj "/CN=another test CA (not for production)"
# A certificate for another name only: a host-name mismatch on 127.0.0.1 and localhost.
openssl req -newkey rsa:2048 -nodes -keyout wrong-host-key.pem -subj "/CN=other.example" \
  -addext "subjectAltName=DNS:other.example" \
| openssl x509 -req -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days $days -copy_extensions copy -out wrong-host.pem
# An expired certificate for the right names (openssl ca sets past dates; openssl x509 cannot in 3.0).
mkdir -p ca.tmp && : > ca.tmp/index.txt && echo 01 > ca.tmp/serial
cat > ca.tmp/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = ca.tmp
database = ca.tmp/index.txt
serial = ca.tmp/serial
new_certs_dir = ca.tmp
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
openssl req -newkey rsa:2048 -nodes -keyout expired-key.pem -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -out ca.tmp/expired.csr
openssl ca -batch -config ca.tmp/ca.cnf -cert ca.pem -keyfile ca-key.pem -in ca.tmp/expired.csr \
  -startdate 20200101000000Z -enddate 20210101000000Z -notext -out expired.pem
rm -rf ca.tmp ca.srl
