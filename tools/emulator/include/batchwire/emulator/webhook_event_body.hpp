#ifndef BATCHWIRE_EMULATOR_WEBHOOK_EVENT_BODY_HPP
#define BATCHWIRE_EMULATOR_WEBHOOK_EVENT_BODY_HPP

// The JSON body of a batch event as OpenAI sends it:
// {"id":"evt_...","object":"event","type":"batch.completed","created_at":<unix s>,"data":{"id":"batch_..."}}

#include <batchwire/batch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::emulator {

// "batch.completed", "batch.failed", "batch.expired", "batch.cancelled"; nullopt for a
// status that is not terminal.
std::optional<std::string_view> batch_event_type(batchwire::batch_status s) noexcept;

std::string batch_event_body(std::string_view event_id, std::string_view type, std::int64_t created_at,
                             std::string_view batch_id);

} // namespace batchwire::emulator

#endif
