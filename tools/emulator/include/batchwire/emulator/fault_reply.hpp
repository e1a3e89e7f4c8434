#ifndef BATCHWIRE_EMULATOR_FAULT_REPLY_HPP
#define BATCHWIRE_EMULATOR_FAULT_REPLY_HPP

// What the faults that change a reply's content do to it; the faults that change how it
// is written (stalls, drips, resets) live in the session.

#include <batchwire/emulator/fault_rule.hpp>
#include <batchwire/emulator/http_reply.hpp>

namespace batchwire::emulator {

// True for the kinds that answer instead of running the request.
bool replaces_request(fault_kind k) noexcept;

// The error reply of http_status, rate_limited or insufficient_quota.
http_reply fault_error_reply(const fault_rule& rule);

// malformed_json cuts the body mid-JSON; wrong_content_type swaps in an HTML page with
// rule.status. Other kinds leave the reply alone. Retry headers are added to every fault.
void apply_fault_to_reply(http_reply& reply, const fault_rule& rule);

} // namespace batchwire::emulator

#endif
