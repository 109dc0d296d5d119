#!/usr/bin/env bash
# deploy/pki.sh — the deployment CA and the mutual-TLS certificates of a
# fedlink deployment, made with the openssl CLI.
#
# Usage:
#   deploy/pki.sh --out DIR [options] IDENTITY...
#   deploy/pki.sh --out DIR --revoke ROLE/NAME [--reason R]   # then reload the coordinator
#
# Identities (each may be given any number of times):
#   --coordinator NAME        the coordinator's server certificate
#   --agent AGENCY            an agency's agent (its name is the agency id)
#   --steward AGENCY/PERSON   a data steward of that agency
#   --analyst NAME  --auditor NAME  --operator NAME
# Names are [a-z0-9][a-z0-9._-]*, at most 64 characters.
#
# Options:
#   --dns NAME     extra DNS name for coordinator certificates (repeatable;
#                  "localhost" is always included)
#   --ip ADDR      extra IP address for coordinator certificates (repeatable;
#                  127.0.0.1 and ::1 are always included)
#   --days N       validity of the certificates issued now (default 365)
#   --ca-days N    validity of a new CA (default 3650)
#   --ca-name TEXT common name of a new CA (default "fedlink deployment CA")
#
# Revocation (the coordinator's tls.crl_dir, an agent's crl_directory):
#   --revoke ROLE/NAME  revoke that identity's current certificate, e.g.
#                  agent/edu, steward/edu/sam, analyst/bob (repeatable), and
#                  write a new CRL
#   --reason R     CRL reason of this run's revocations: unspecified (default),
#                  keyCompromise, affiliationChanged, superseded,
#                  cessationOfOperation
#   --crl          write a new CRL even if nothing is revoked (renewal: a
#                  CRL is valid for --crl-days; renew it well before)
#   --crl-days N   validity of the CRL written now (default 30)
# The CRL goes to DIR/crl/ca.crl.pem (replaced atomically, with `openssl
# rehash` links beside it); the CA's record of revocations is DIR/ca-db/.
# Revocation takes effect when the coordinator re-reads the directory:
# `kill -HUP` it or call ReloadConfig as an operator. A revoked identity
# named again as IDENTITY gets a new key and certificate.
#
# What a certificate says: its only URI SAN is fedlink://<role>/<name>, which
# is how fedlink reads role and identity (proto/runtime/peer_identity.h);
# the subject (O=fedlink, OU=<role>, CN=<name>) is for people. The
# coordinator's certificate is a TLS server certificate (extended key usage
# serverAuth, DNS/IP SANs for host-name checks); all others are client
# certificates (clientAuth) and cannot serve.
#
# Algorithms: ECDSA P-256 keys and SHA-256 signatures for the CA and every
# certificate — accepted by every TLS stack fedlink's clients may use.
#
# Layout (keys are mode 0600, the CA key too):
#   DIR/ca.crt  DIR/ca.key
#   DIR/<role>/<name>.crt  DIR/<role>/<name>.key
#   DIR/steward/<agency>/<person>.crt  .key
#   DIR/<role>/<name>.ext  the extensions the certificate was issued with
#   DIR/crl/ca.crl.pem  DIR/ca-db/index.txt  (after a revocation or --crl)
#
# Idempotent: an existing CA is reused (never replaced); a certificate that
# verifies against the CA, matches its key, was issued with the extensions
# that would be used now and is valid for at least 30 more days is left
# alone; otherwise it is reissued (keeping a valid existing key). Each
# identity is reported as created, reissued or unchanged.
#
# In production keep DIR/ca.key offline (run this script where it lives and
# copy out only each host's .crt/.key and ca.crt).
set -euo pipefail

die() { echo "pki.sh: $*" >&2; exit 1; }

out=""
days=365
ca_days=3650
ca_name="fedlink deployment CA"
extra_dns=()
extra_ips=()
identities=()  # "role name" pairs
revocations=()  # "role name" pairs
crl_reason=unspecified
crl_days=30
write_crl=no

name_re='^[a-z0-9][a-z0-9._-]{0,63}$'
check_name() {  # role name
  local role="$1" name="$2"
  if [[ "$role" == steward ]]; then
    [[ "$name" == */* ]] || die "--steward wants AGENCY/PERSON, got a name without '/'"
    [[ "${name%%/*}" =~ $name_re && "${name#*/}" =~ $name_re ]] ||
      die "--steward $name: each part must match [a-z0-9][a-z0-9._-]* (at most 64)"
  else
    [[ "$name" =~ $name_re ]] || die "--$role $name: must match [a-z0-9][a-z0-9._-]* (at most 64)"
  fi
}

while [[ $# -gt 0 ]]; do
  opt="$1"
  case "$opt" in
    --out|--days|--ca-days|--ca-name|--dns|--ip|--coordinator|--agent|--steward|--analyst|--auditor|--operator|--revoke|--reason|--crl-days)
      [[ $# -ge 2 ]] || die "$opt needs a value"
      value="$2"; shift 2 ;;
    --crl) write_crl=yes; shift; continue ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$opt' (see --help)" ;;
  esac
  case "$opt" in
    --out) out="$value" ;;
    --days) [[ "$value" =~ ^[1-9][0-9]{0,4}$ ]] || die "--days wants a whole number of days"; days="$value" ;;
    --ca-days) [[ "$value" =~ ^[1-9][0-9]{0,4}$ ]] || die "--ca-days wants a whole number of days"; ca_days="$value" ;;
    --ca-name) [[ "$value" =~ ^[A-Za-z0-9\ ._-]{1,64}$ ]] || die "--ca-name: letters, digits, space . _ - (at most 64)"; ca_name="$value" ;;
    --dns) [[ "$value" =~ ^[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})$ ]] || die "--dns $value: not a DNS name"; extra_dns+=("$value") ;;
    --ip) [[ "$value" =~ ^[0-9A-Fa-f.:]{2,45}$ ]] || die "--ip $value: not an IP address"; extra_ips+=("$value") ;;
    --revoke)
      role="${value%%/*}"
      [[ "$value" == */* && "$role" =~ ^(coordinator|agent|steward|analyst|auditor|operator)$ ]] ||
        die "--revoke wants ROLE/NAME (role coordinator, agent, steward, analyst, auditor or operator), got '$value'"
      check_name "$role" "${value#*/}"; revocations+=("$role ${value#*/}") ;;
    --reason)
      [[ "$value" =~ ^(unspecified|keyCompromise|affiliationChanged|superseded|cessationOfOperation)$ ]] ||
        die "--reason: one of unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation"
      crl_reason="$value" ;;
    --crl-days) [[ "$value" =~ ^[1-9][0-9]{0,3}$ ]] || die "--crl-days wants a whole number of days"; crl_days="$value" ;;
    *) role="${opt#--}"; check_name "$role" "$value"; identities+=("$role $value") ;;
  esac
done
[[ -n "$out" ]] || die "--out DIR is required (see --help)"
command -v openssl >/dev/null || die "the openssl command is not installed"

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
renew_margin=$((30 * 86400))

new_key() {  # path
  ( umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
      -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null ) || die "cannot create key $1"
  chmod 600 "$1"
}

key_ok() {  # path: an EC private key we can read
  [[ -f "$1" ]] && openssl pkey -in "$1" -noout 2>/dev/null
}

# ---------------------------------------------------------------- the CA
ca_crt="$out/ca.crt"
ca_key="$out/ca.key"
if [[ -e "$ca_crt" && ! -e "$ca_key" ]]; then
  die "$ca_crt exists without $ca_key; refusing to replace a CA (move both away to start over)"
fi
if [[ -e "$ca_key" ]]; then
  key_ok "$ca_key" || die "$ca_key is not a readable private key"
  chmod 600 "$ca_key"
fi
if [[ -e "$ca_crt" ]]; then
  openssl x509 -in "$ca_crt" -noout -checkend "$renew_margin" >/dev/null ||
    die "the CA certificate $ca_crt expires within 30 days; rotate the CA deliberately"
  [[ "$(openssl x509 -in "$ca_crt" -noout -pubkey)" == "$(openssl pkey -in "$ca_key" -pubout)" ]] ||
    die "$ca_crt does not belong to $ca_key"
  echo "ca: unchanged ($ca_crt)"
else
  [[ -e "$ca_key" ]] || new_key "$ca_key"
  cat > "$work/ca.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
O = fedlink
CN = $ca_name
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  openssl req -x509 -new -config "$work/ca.cnf" -key "$ca_key" -sha256 -days "$ca_days" \
    -set_serial "0x$(openssl rand -hex 16)" -out "$ca_crt" 2>/dev/null ||
    die "cannot create the CA certificate"
  chmod 644 "$ca_crt"
  echo "ca: created ($ca_crt)"
fi

# ---------------------------------------------------------------- revocation
# `openssl ca` keeps the revoked serials in DIR/ca-db/index.txt (certificates
# are issued with `openssl x509 -req`, so only revocations are recorded).
ca_db="$out/ca-db"
crl_dir="$out/crl"
ca_config() {
  cat <<EOF
[ca]
default_ca = fedlink_ca
[fedlink_ca]
database = $ca_db/index.txt
crlnumber = $ca_db/crlnumber
certificate = $ca_crt
private_key = $ca_key
default_md = sha256
default_crl_days = $crl_days
crl_extensions = crl_ext
unique_subject = no
[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
}

# Whether the certificate's serial is recorded as revoked.
is_revoked() {  # crt
  [[ -f "$ca_db/index.txt" ]] || return 1
  local serial
  serial="$(openssl x509 -in "$1" -noout -serial 2>/dev/null)" || return 1
  serial="${serial#serial=}"
  awk -F'\t' -v s="${serial^^}" '$1 == "R" && toupper($4) == s { found = 1 } END { exit !found }' \
    "$ca_db/index.txt"
}

if [[ ${#revocations[@]} -gt 0 || "$write_crl" == yes ]]; then
  mkdir -p "$ca_db" "$crl_dir"
  chmod 700 "$ca_db"
  [[ -e "$ca_db/index.txt" ]] || : > "$ca_db/index.txt"
  [[ -e "$ca_db/crlnumber" ]] || echo 01 > "$ca_db/crlnumber"
  ca_config > "$work/ca.cnf"
  # All or nothing: every named certificate must exist before any is revoked.
  for entry in "${revocations[@]+"${revocations[@]}"}"; do
    crt="$out/${entry%% *}/${entry#* }.crt"
    [[ -f "$crt" ]] || die "--revoke ${entry/ //}: no certificate $crt"
  done
  for entry in "${revocations[@]+"${revocations[@]}"}"; do
    role="${entry%% *}"
    name="${entry#* }"
    crt="$out/$role/$name.crt"
    if is_revoked "$crt"; then
      echo "$role/$name: already revoked"
      continue
    fi
    openssl ca -config "$work/ca.cnf" -revoke "$crt" -crl_reason "$crl_reason" >"$work/ca.log" 2>&1 ||
      die "$role/$name: cannot revoke $crt: $(tail -1 "$work/ca.log")"
    echo "$role/$name: revoked (serial $(openssl x509 -in "$crt" -noout -serial | cut -d= -f2))"
  done
  # Written beside the final name, then renamed: a coordinator re-reading
  # the directory sees the old CRL or the new one, never half of one. The
  # temporary name starts with '.', which readers skip.
  openssl ca -config "$work/ca.cnf" -gencrl -out "$crl_dir/.ca.crl.pem.new" >"$work/ca.log" 2>&1 ||
    die "cannot write the CRL: $(tail -1 "$work/ca.log")"
  chmod 644 "$crl_dir/.ca.crl.pem.new"
  mv "$crl_dir/.ca.crl.pem.new" "$crl_dir/ca.crl.pem"
  openssl rehash "$crl_dir" >/dev/null 2>&1 || die "openssl rehash $crl_dir failed"
  echo "crl: written ($crl_dir/ca.crl.pem, valid $crl_days days)"
fi

# ---------------------------------------------------------------- identities
# The extension section a certificate for (role, name) is issued with.
extensions() {  # role name
  local role="$1" name="$2" usage=clientAuth
  [[ "$role" == coordinator ]] && usage=serverAuth
  echo "[leaf]"
  echo "basicConstraints = critical, CA:FALSE"
  echo "keyUsage = critical, digitalSignature"
  echo "extendedKeyUsage = $usage"
  echo "subjectKeyIdentifier = hash"
  echo "authorityKeyIdentifier = keyid:always"
  echo "subjectAltName = @san"
  echo "[san]"
  echo "URI.1 = fedlink://$role/$name"
  if [[ "$role" == coordinator ]]; then
    local i=1 d ip
    echo "DNS.$i = localhost"
    for d in "${extra_dns[@]+"${extra_dns[@]}"}"; do i=$((i + 1)); echo "DNS.$i = $d"; done
    echo "IP.1 = 127.0.0.1"
    echo "IP.2 = ::1"
    i=2
    for ip in "${extra_ips[@]+"${extra_ips[@]}"}"; do i=$((i + 1)); echo "IP.$i = $ip"; done
  fi
}

cert_current() {  # crt key ext_file wanted_ext_text purpose
  local crt="$1" key="$2" ext="$3" wanted="$4" purpose="$5"
  [[ -f "$crt" && -f "$ext" ]] || return 1
  ! is_revoked "$crt" || return 1
  [[ "$(cat "$ext")" == "$wanted" ]] || return 1
  openssl verify -CAfile "$ca_crt" -purpose "$purpose" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend "$renew_margin" >/dev/null 2>&1 || return 1
  [[ "$(openssl x509 -in "$crt" -noout -pubkey)" == "$(openssl pkey -in "$key" -pubout)" ]]
}

for entry in "${identities[@]+"${identities[@]}"}"; do
  role="${entry%% *}"
  name="${entry#* }"
  base="$out/$role/$name"
  mkdir -p "$(dirname "$base")"
  crt="$base.crt"; key="$base.key"; ext="$base.ext"
  purpose=sslclient
  [[ "$role" == coordinator ]] && purpose=sslserver
  wanted="$(extensions "$role" "$name")"

  had_cert=no
  [[ -e "$crt" ]] && had_cert=yes
  # A revoked certificate's key may be compromised: never reuse it.
  if [[ "$had_cert" == yes ]] && is_revoked "$crt"; then
    echo "$role/$name: previous certificate revoked, creating a new key" >&2
    rm -f "$key"
  fi
  if key_ok "$key"; then
    chmod 600 "$key"
  else
    [[ -e "$key" ]] && echo "$role/$name: existing key unreadable, replacing it" >&2
    new_key "$key"
  fi
  if cert_current "$crt" "$key" "$ext" "$wanted" "$purpose"; then
    echo "$role/$name: unchanged"
    continue
  fi

  printf '%s\n' "$wanted" > "$work/ext.cnf"
  cat > "$work/req.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
O = fedlink
OU = $role
CN = $name
EOF
  openssl req -new -config "$work/req.cnf" -key "$key" -out "$work/leaf.csr" 2>/dev/null ||
    die "$role/$name: cannot create the certificate request"
  openssl x509 -req -in "$work/leaf.csr" -CA "$ca_crt" -CAkey "$ca_key" -sha256 -days "$days" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$work/ext.cnf" -extensions leaf \
    -out "$crt.new" 2>/dev/null || die "$role/$name: cannot issue the certificate"
  mv "$crt.new" "$crt"
  chmod 644 "$crt"
  printf '%s\n' "$wanted" > "$ext"
  if [[ "$had_cert" == yes ]]; then echo "$role/$name: reissued"; else echo "$role/$name: created"; fi
done
