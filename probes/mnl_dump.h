// SPDX-License-Identifier: GPL-2.0
// One netlink dump with libmnl (rtnetlink, nf_tables): send the request, run every reply message
// through a parser, tell a finished dump from one the kernel interrupted (NLM_F_DUMP_INTR: the
// tables changed meanwhile, so the caller dumps again on a fresh socket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <libmnl/libmnl.h>

#include "engine/result.h"

namespace netdx::probes {

class MnlSocket {
public:
    explicit MnlSocket(int bus) : s_(mnl_socket_open(bus)) {}
    MnlSocket(const MnlSocket&) = delete;
    MnlSocket& operator=(const MnlSocket&) = delete;
    ~MnlSocket() {
        if (s_ != nullptr) {
            mnl_socket_close(s_);
        }
    }
    mnl_socket* get() const { return s_; }
    // Binds to an automatic port id; an error when the socket could not be opened or bound.
    Result<void> bind(const std::string& what) const;

private:
    mnl_socket* s_;
};

// Called with each message of the reply (header included, bounds checked by libmnl).
using MessageParser = std::function<Result<void>(std::span<const std::byte>)>;

enum class DumpStatus { Done, Interrupted };

// One dump request: its message type, the family header it carries, and what it is called in
// errors ("links (IPv4)", "nf_tables rules").
struct DumpCall {
    std::uint16_t type;
    std::span<const std::byte> header;
    std::string name;
};

Result<DumpStatus> dump(mnl_socket* sock,
                        const DumpCall& call,
                        std::uint32_t seq,
                        std::vector<char>& buf,
                        const MessageParser& parse);

// Runs `calls` in order on one socket; stops at the first dump the kernel interrupted.
Result<DumpStatus> dump_all(mnl_socket* sock,
                            std::span<const DumpCall> calls,
                            std::uint32_t& seq,
                            std::vector<char>& buf,
                            const MessageParser& parse);

} // namespace netdx::probes
