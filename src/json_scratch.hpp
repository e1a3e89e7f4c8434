#ifndef BATCHWIRE_SRC_JSON_SCRATCH_HPP
#define BATCHWIRE_SRC_JSON_SCRATCH_HPP

// A JSON value that lives only while it is read (an API answer becoming a batch): parsed
// into a monotonic arena that starts in a buffer inside this object, instead of one heap
// block per key, string and container. parse_json's limits, budget and errors apply
// unchanged.

#include <batchwire/json_parse.hpp>

#include <boost/json/memory_resource.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>

#include <cstddef>
#include <new>
#include <string_view>

namespace batchwire::detail {

struct json_budget_exceeded : std::bad_alloc {
    const char* what() const noexcept override { return "the JSON memory budget is exhausted"; }
};

// parse_json's checks, shared with json_scratch (json_parse.cpp).
bool json_over_max_size(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                        const json_parse_options& opts);
std::size_t json_budget_for(std::size_t text_size, const json_parse_options& opts) noexcept;
boost::json::value parse_json_in(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                                 const json_parse_options& opts, const boost::json::storage_ptr& sp,
                                 std::size_t budget);

// Not movable: the values it parses point at it. Each parse counts against the budget of
// its own text; memory is given back when the scratch is destroyed.
class json_scratch final : public boost::json::memory_resource {
public:
    json_scratch() = default;
    json_scratch(const json_scratch&) = delete;
    json_scratch& operator=(const json_scratch&) = delete;

    // The value lives in this scratch and must not outlive it.
    boost::json::value parse(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                             const json_parse_options& opts);

private:
    void* do_allocate(std::size_t n, std::size_t align) override;
    void do_deallocate(void*, std::size_t, std::size_t) override {} // an arena: all at once
    bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }

    // Big enough for a batch object and its parser's stack, so that it usually is all.
    alignas(std::max_align_t) unsigned char buffer_[4096];
    boost::json::monotonic_resource arena_{buffer_, sizeof buffer_};
    std::size_t limit_ = 0;
    std::size_t used_ = 0; // allocated, not in use: an arena frees nothing before the end
};

// parse_json + convert_json through a scratch: the value is gone when T is built, so T must
// hold no JSON value of its own (a batch, a file, a page of them: yes; a results line, whose
// body is JSON: no, it would point into the scratch).
template <class T>
T decode_json(std::string_view text, const json_parse_options& opts, boost::system::error_code& ec,
              diagnostics& diag)
{
    json_scratch scratch;
    const auto v = scratch.parse(text, ec, diag, opts);
    if (ec)
        return T{};
    return convert_json<T>(v, ec, diag);
}

} // namespace batchwire::detail

#endif
