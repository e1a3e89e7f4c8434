// Webhook event JSON: {"id", "object": "event", "type", "created_at", "data": {"id"}}.

#include "webhook_event_json.hpp"

#include <batchwire/json_parse.hpp>
#include <batchwire/webhook_error.hpp>

#include <array>
#include <limits>
#include <utility>

namespace batchwire {

namespace {

constexpr std::array<std::pair<webhook_event_type, std::string_view>, 4> type_names{{
    {webhook_event_type::batch_completed, "batch.completed"},
    {webhook_event_type::batch_cancelled, "batch.cancelled"},
    {webhook_event_type::batch_expired, "batch.expired"},
    {webhook_event_type::batch_failed, "batch.failed"},
}};

} // namespace

std::string_view to_string(webhook_event_type t) noexcept
{
    for (const auto& [type, name] : type_names)
        if (type == t)
            return name;
    return "unknown";
}

webhook_event_type webhook_event_type_from(std::string_view name) noexcept
{
    for (const auto& [type, n] : type_names)
        if (n == name)
            return type;
    return webhook_event_type::unknown;
}

namespace detail {

namespace {

const boost::json::string* string_member(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v ? v->if_string() : nullptr;
}

// Fills `e` from the parsed object; returns what is wrong, or an empty text.
std::string read_event(boost::json::object&& o, webhook_event& e)
{
    const auto* id = string_member(o, "id");
    if (!id || id->empty())
        return "\"id\" is missing or not a non-empty string";
    const auto* type = string_member(o, "type");
    if (!type || type->empty())
        return "\"type\" is missing or not a non-empty string";
    const auto* created = o.if_contains("created_at");
    if (!created || !(created->is_int64() || created->is_uint64()) ||
        (created->is_uint64() && created->as_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
        return "\"created_at\" is missing or not an integer";
    if (const auto* object = o.if_contains("object"); object && !(object->is_string() && object->as_string() == "event"))
        return "\"object\" is present but not \"event\"";
    e.id = *id;
    e.type_name = *type;
    e.type = webhook_event_type_from(e.type_name);
    e.created_at = created->is_int64() ? created->as_int64() : static_cast<std::int64_t>(created->as_uint64());
    const auto* data = o.if_contains("data");
    const auto* data_object = data ? data->if_object() : nullptr;
    const auto* batch_id = data_object ? string_member(*data_object, "id") : nullptr;
    if (batch_id)
        e.batch_id = *batch_id;
    if (e.is_batch_event() && e.batch_id.empty())
        return "\"data.id\" (the batch id) is missing or not a non-empty string";
    e.payload = std::move(o);
    return {};
}

} // namespace

webhook_event parse_webhook_event(std::string_view body, std::size_t max_depth, boost::system::error_code& ec,
                                  std::string& why)
{
    ec = {};
    json_parse_options po;
    po.max_depth = max_depth;
    po.max_size = body.size(); // the caller caps the body; the parser needs no second cap
    diagnostics diag;
    boost::system::error_code jec;
    boost::json::value v = parse_json(body, jec, diag, po);
    webhook_event e;
    if (jec) {
        ec = webhook_error::malformed_body;
        why = std::move(diag.message);
        return e;
    }
    auto* o = v.if_object();
    if (!o) {
        ec = webhook_error::malformed_body;
        why = "the body is not a JSON object";
        return e;
    }
    why = read_event(std::move(*o), e);
    if (!why.empty()) {
        ec = webhook_error::malformed_body;
        return webhook_event{};
    }
    return e;
}

} // namespace detail

} // namespace batchwire
