#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Firewall attribution in all three worlds: a DROP rule in a user chain reached by a jump from
# OUTPUT (iptables-nft, iptables-legacy, native nftables inet table), behind a decoy DROP rule
# that sees no traffic. The finding must name the rule that dropped (not the jump, not the decoy),
# its chain, position or handle, and a packet delta that leaves out drops from before netdx
# started.
source "$(dirname "$0")/lib.sh"
require_root
require_tools iptables-nft iptables-legacy nft ncat

# check_world WORLD SUBNET: one client/server pair, one fault, one diagnosis.
check_world() {
    local world=$1 net=$2 client server dst
    client=c$net
    server=s$net
    dst=10.201.$net.2
    make_pair "$client" "$server" "$net"
    bg in_ns "$server" ncat -lk "$dst" 80
    case $world in
    iptables-nft | iptables-legacy)
        in_ns "$client" "$world" -N WEBCHK
        in_ns "$client" "$world" -A WEBCHK -p udp --dport 9 -j DROP
        in_ns "$client" "$world" -A WEBCHK -d "$dst/32" -p tcp --dport 80 -j DROP
        in_ns "$client" "$world" -A OUTPUT -p tcp -j WEBCHK
        ;;
    nftables)
        in_ns "$client" nft -f - <<NFT
table inet ndxfw {
    chain out {
        type filter hook output priority 0; policy accept;
        tcp dport 80 jump webchk
    }
    chain webchk {
        udp dport 9 counter drop
        ip daddr $dst tcp dport 80 counter drop comment "no web"
    }
}
NFT
        ;;
    esac
    # Drops from before netdx started must not count.
    tcp_connect "$client" "$dst" 80 1.5

    start_netdx "$world" diagnose --host "$dst" --port 80 --proto tcp --duration 10 \
        --json "$WORK/$world.json"
    tcp_connect "$client" "$dst" 80 2
    wait_netdx 15
    [ "$NETDX_RC" = 1 ] || fail "$world: exit code $NETDX_RC, expected 1 (an ERROR finding)"
    validate_report "$WORK/$world.json"
    local f msg delta total
    f=$(findings "$WORK/$world.json" '.category == "netfilter-drop" and .level == "ERROR"' | head -n 1)
    [ -n "$f" ] || fail "$world: no ERROR netfilter-drop finding"
    msg=$(echo "$f" | jq -r .message)
    echo "$world: $msg"
    case $world in
    iptables-nft | iptables-legacy)
        grep -q "$world table ip filter, chain WEBCHK, rule 2: \`-A WEBCHK -d $dst/32 -p tcp -m tcp --dport 80 -j DROP\`" <<<"$msg" ||
            fail "$world: the finding does not name rule 2 of WEBCHK: $msg"
        echo "$f" | jq -e --arg c "$world -D WEBCHK 2" '.advice[] | select(.kind == "change" and (.text | contains($c)))' >/dev/null ||
            fail "$world: no advice to delete rule 2 of WEBCHK: $(echo "$f" | jq -c .advice)"
        total=$(in_ns "$client" "$world" -nvxL WEBCHK | awk '$NF ~ /dpt:80/ || /dpt:80/ {print $1; exit}')
        ;;
    nftables)
        local handle
        handle=$(in_ns "$client" nft -a list chain inet ndxfw webchk | sed -n 's/.*tcp dport 80 counter.*# handle \([0-9]*\)$/\1/p')
        [ -n "$handle" ] || fail "cannot read the nft rule handle"
        grep -q "nftables table inet ndxfw, chain webchk, rule 2 (handle $handle): \`ip daddr $dst tcp dport 80 counter drop comment \"no web\"\`" <<<"$msg" ||
            fail "nftables: the finding does not name handle $handle of webchk: $msg"
        echo "$f" | jq -e --arg c "nft delete rule inet ndxfw webchk handle $handle" '.advice[] | select(.kind == "change" and (.text | contains($c)))' >/dev/null ||
            fail "nftables: no advice to delete handle $handle: $(echo "$f" | jq -c .advice)"
        total=$(in_ns "$client" nft list chain inet ndxfw webchk | sed -n 's/.*tcp dport 80 counter packets \([0-9]*\).*/\1/p')
        ;;
    esac
    delta=$(sed -n 's/.*(+\([0-9]*\) packets\{0,1\}).*/\1/p' <<<"$msg")
    [ -n "$delta" ] && [ "$delta" -ge 1 ] || fail "$world: no packet delta in: $msg"
    [ -n "$total" ] && [ "$total" -gt "$delta" ] ||
        fail "$world: delta $delta should leave out the earlier drops (counter now ${total:-?})"
    echo "$world: +$delta of $total packets counted since netdx started"
}

check_world iptables-nft 1
check_world iptables-legacy 2
check_world nftables 3
pass "the DROP rule behind the jump named in all three worlds"
