#ifndef BATCHWIRE_PAGE_HPP
#define BATCHWIRE_PAGE_HPP

// One page of a list endpoint: {object: "list", data, first_id, last_id, has_more}.

#include <batchwire/batch.hpp>

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <optional>
#include <string>
#include <vector>

namespace batchwire {

template <class T>
struct page {
    std::vector<T> data;
    std::optional<std::string> first_id;
    std::optional<std::string> last_id;
    bool has_more = false;

    // The cursor for the next page (`after`), or nullopt when this is the last one.
    // The API's rule: continue while has_more is true and data is not empty.
    std::optional<std::string> next_cursor() const;

    friend bool operator==(const page&, const page&) = default;
};

using batch_page = page<batch>;

namespace detail {
// Reads the list envelope; the element conversion is value_to<T>. Throws like batch's.
void read_page_envelope(const boost::json::value& v, const boost::json::array*& data,
                        std::optional<std::string>& first_id, std::optional<std::string>& last_id,
                        bool& has_more);
void write_page_envelope(boost::json::value& v, boost::json::array data,
                         const std::optional<std::string>& first_id,
                         const std::optional<std::string>& last_id, bool has_more);
std::string element_path(std::size_t index); // "page.data[3]"
void rethrow_with_context(const std::string& context);
} // namespace detail

template <class T>
std::optional<std::string> page<T>::next_cursor() const
{
    if (!has_more || data.empty())
        return std::nullopt;
    return data.back().id;
}

template <class T>
page<T> tag_invoke(boost::json::value_to_tag<page<T>>, const boost::json::value& v)
{
    page<T> p;
    const boost::json::array* items = nullptr;
    detail::read_page_envelope(v, items, p.first_id, p.last_id, p.has_more);
    // No reserve for the untrusted element count: an element is converted, hence checked,
    // before it takes room, so a page of junk is refused at its first element.
    for (std::size_t i = 0; i < items->size(); ++i) {
        try {
            p.data.push_back(boost::json::value_to<T>((*items)[i]));
        } catch (...) {
            detail::rethrow_with_context(detail::element_path(i));
        }
    }
    return p;
}

template <class T>
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const page<T>& p)
{
    boost::json::array items;
    items.reserve(p.data.size());
    for (const auto& item : p.data)
        items.push_back(boost::json::value_from(item));
    detail::write_page_envelope(v, std::move(items), p.first_id, p.last_id, p.has_more);
}

} // namespace batchwire

#endif
