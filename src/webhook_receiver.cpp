#include <batchwire/webhook_receiver.hpp>

#include "webhook_dedup.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace batchwire {

namespace detail {

struct webhook_receiver_state {
    webhook_receiver_state(const webhook_receiver_options& o)
        : verifier(o.secrets, o.verify), dedup(o.duplicate_capacity, o.duplicate_window)
    {
    }

    const webhook_verifier verifier;
    std::mutex dedup_mutex;
    webhook_dedup dedup;
    std::atomic<std::uint64_t> accepted{0}, duplicates{0}, refused{0};
};

} // namespace detail

webhook_receiver_options webhook_receiver_options::from_env()
{
    webhook_receiver_options o;
    if (const char* s = std::getenv("OPENAI_WEBHOOK_SECRET"); s && *s)
        o.secrets.emplace_back(s);
    return o;
}

webhook_verdict make_webhook_verdict(webhook_verification v, bool duplicate)
{
    webhook_verdict out;
    out.ec = v.ec;
    out.message = std::move(v.message);
    if (!v.ec) {
        out.outcome = duplicate ? webhook_outcome::duplicate : webhook_outcome::accepted;
        out.http_status = 200;
        if (!duplicate)
            out.event = std::move(v.event);
        return out;
    }
    out.outcome = webhook_outcome::refused;
    if (v.ec == webhook_error::body_too_large)
        out.http_status = 413;
    else if (v.ec == webhook_error::bad_secret)
        out.http_status = 500; // our configuration: the sender's retries succeed once it is fixed
    else
        out.http_status = 400;
    return out;
}

webhook_receiver::webhook_receiver(const webhook_receiver_options& opts)
    : state_(std::make_unique<detail::webhook_receiver_state>(opts))
{
}
webhook_receiver::webhook_receiver(webhook_receiver&&) noexcept = default;
webhook_receiver& webhook_receiver::operator=(webhook_receiver&&) noexcept = default;
webhook_receiver::~webhook_receiver() = default;

webhook_verdict webhook_receiver::receive(const webhook_headers& headers, std::string_view body)
{
    return receive(headers, body, std::chrono::system_clock::now());
}

webhook_verdict webhook_receiver::receive(const webhook_headers& headers, std::string_view body,
                                          std::chrono::system_clock::time_point now)
{
    auto& st = *state_;
    webhook_verification v = st.verifier.verify(headers, body, now);
    bool duplicate = false;
    if (v) {
        const std::lock_guard lock(st.dedup_mutex);
        duplicate = !st.dedup.first_seen(v.event->webhook_id, now);
    }
    webhook_verdict out = make_webhook_verdict(std::move(v), duplicate);
    auto& counter = out.outcome == webhook_outcome::accepted    ? st.accepted
                    : out.outcome == webhook_outcome::duplicate ? st.duplicates
                                                                : st.refused;
    counter.fetch_add(1, std::memory_order_relaxed);
    return out;
}

webhook_receiver_stats webhook_receiver::stats() const noexcept
{
    const auto& st = *state_;
    return {st.accepted.load(std::memory_order_relaxed), st.duplicates.load(std::memory_order_relaxed),
            st.refused.load(std::memory_order_relaxed)};
}

const webhook_verify_options& webhook_receiver::verify_options() const noexcept
{
    return state_->verifier.options();
}

} // namespace batchwire
