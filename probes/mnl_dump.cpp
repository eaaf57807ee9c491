// SPDX-License-Identifier: GPL-2.0
#include "mnl_dump.h"

#include <cerrno>
#include <cstring>
#include <optional>

namespace netdx::probes {
namespace {

struct CallbackState {
    const MessageParser* parse = nullptr;
    std::optional<Error> error;
};

int on_message(const nlmsghdr* nlh, void* data) {
    auto* state = static_cast<CallbackState*>(data);
    // libmnl checked that nlmsg_len bytes are inside the received buffer.
    const std::span bytes(reinterpret_cast<const std::byte*>(nlh), nlh->nlmsg_len);
    if (auto r = (*state->parse)(bytes); !r) {
        state->error = r.error();
        return MNL_CB_ERROR;
    }
    return MNL_CB_OK;
}

} // namespace

Result<void> MnlSocket::bind(const std::string& what) const {
    if (s_ == nullptr) {
        return make_error(ErrorKind::Environment, "cannot open a " + what + " socket", errno);
    }
    if (mnl_socket_bind(s_, 0, MNL_SOCKET_AUTOPID) < 0) {
        return make_error(ErrorKind::Environment, "cannot bind a " + what + " socket", errno);
    }
    return {};
}

Result<DumpStatus> dump(mnl_socket* sock,
                        const DumpCall& call,
                        std::uint32_t seq,
                        std::vector<char>& buf,
                        const MessageParser& parse) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = call.type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = seq;
    void* header = mnl_nlmsg_put_extra_header(nlh, call.header.size());
    std::memcpy(header, call.header.data(), call.header.size());
    if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
        return make_error(
            ErrorKind::Environment, "cannot request the " + call.name + " dump", errno);
    }
    const unsigned portid = mnl_socket_get_portid(sock);
    CallbackState state{&parse, std::nullopt};
    for (;;) {
        const ssize_t n = mnl_socket_recvfrom(sock, buf.data(), buf.size());
        if (n < 0) {
            return make_error(
                ErrorKind::Environment, "cannot read the " + call.name + " dump", errno);
        }
        const int ret =
            mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, portid, on_message, &state);
        if (ret == MNL_CB_STOP) {
            return DumpStatus::Done;
        }
        if (ret < 0) {
            if (state.error) {
                return *state.error;
            }
            if (errno == EINTR) {
                return DumpStatus::Interrupted;
            }
            return make_error(ErrorKind::Environment, "the " + call.name + " dump failed", errno);
        }
    }
}

Result<DumpStatus> dump_all(mnl_socket* sock,
                            std::span<const DumpCall> calls,
                            std::uint32_t& seq,
                            std::vector<char>& buf,
                            const MessageParser& parse) {
    for (const auto& call : calls) {
        auto status = dump(sock, call, ++seq, buf, parse);
        if (!status || *status == DumpStatus::Interrupted) {
            return status;
        }
    }
    return DumpStatus::Done;
}

} // namespace netdx::probes
