#ifndef BATCHWIRE_EMULATOR_WEBHOOK_FAULT_HPP
#define BATCHWIRE_EMULATOR_WEBHOOK_FAULT_HPP

// Fault injection for webhook deliveries: what the emulator's sender does wrong, to which
// events. Events are counted in the order batches end; a rule lets `skip` events pass, then
// applies to the next `count` (0 = every one after). Rules are tried in the order they were
// added; the first that applies takes the event and the rules after it do not count it.
//
//   drop           the event is never sent
//   duplicate      the event is sent twice, with the same webhook-id (as a sender that lost
//                  the first answer does)
//   delay          the event is sent `delay` (emulated) after the batch ended
//   out_of_order   the event is held back and sent right after the next event
//   bad_signature  every attempt carries a signature made with another key

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string_view>

namespace batchwire::emulator {

enum class webhook_fault_kind { drop, duplicate, delay, out_of_order, bad_signature };

// "drop", "duplicate", ...
std::string_view to_string(webhook_fault_kind k) noexcept;
std::optional<webhook_fault_kind> parse_webhook_fault_kind(std::string_view name) noexcept;
std::ostream& operator<<(std::ostream& os, webhook_fault_kind k);

struct webhook_fault_rule {
    webhook_fault_kind kind = webhook_fault_kind::drop;
    std::size_t skip = 0;  // events let through first
    std::size_t count = 1; // then applied to this many (0 = forever)
    std::chrono::milliseconds delay{60000}; // `delay`: emulated time added before sending
};

// Parses the command-line forms "KIND" and "KIND:N" (N = count; 0 = every event), or
// "kind=delay,delay_s=30,skip=1,count=2" (keys: kind skip count delay_s delay_ms). Throws
// std::invalid_argument naming the bad part.
webhook_fault_rule parse_webhook_fault_rule(std::string_view spec);

} // namespace batchwire::emulator

#endif
