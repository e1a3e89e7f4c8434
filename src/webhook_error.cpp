// The webhook_error category.

#include <batchwire/webhook_error.hpp>

#include <array>
#include <string>

namespace batchwire {

namespace {

constexpr std::array<const char*, 8> messages{
    "a webhook secret is empty or not valid base64 after whsec_",
    "a webhook header is missing (webhook-id, webhook-timestamp, webhook-signature)",
    "a webhook header is malformed",
    "the webhook timestamp is too old",
    "the webhook timestamp is too far in the future",
    "the webhook body is over the size limit",
    "no webhook signature matches",
    "the webhook body is not a valid event",
};
static_assert(messages.size() == static_cast<std::size_t>(webhook_error::malformed_body));

// error_category's destructor is protected and non-virtual by design (see error.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class webhook_category final : public boost::system::error_category {
public:
    // A fixed id keeps categories equal across shared-library boundaries.
    constexpr webhook_category() noexcept : error_category(0xb47c'5e12'9a3f'0b02ULL) {}

    const char* name() const noexcept override { return "batchwire.webhook"; }

    std::string message(int value) const override
    {
        if (value < 1 || static_cast<std::size_t>(value) > messages.size())
            return "unknown webhook error " + std::to_string(value);
        return messages[static_cast<std::size_t>(value) - 1];
    }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& webhook_error_category() noexcept
{
    static const webhook_category category;
    return category;
}

} // namespace batchwire
