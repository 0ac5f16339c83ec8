"""Interface text of the site in each language, and display names of sections and programmes."""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "zh": {
        "skip": "跳到正文", "home": "首页", "language_name": "中文", "other_language": "English",
        "switch": "English version", "latest": "最新内容", "sections": "栏目", "programmes": "专题",
        "tags": "标签", "feed": "订阅（RSS）", "atom": "订阅（Atom）", "doc_number": "文号", "issuer": "发文机关",
        "date": "发布日期", "valid_from": "生效日期", "valid_until": "有效期至", "validity": "效力状态",
        "valid": "有效", "expiring": "即将到期", "expired": "已失效", "expired_note": "本文件已过有效期，仅供参考。",
        "not_yet": "尚未生效", "under_review": "", "review_badge": "", "no_translation": "本文暂无英文版本。",
        "provenance": "来源", "source_note": "中文原文为权威版本。", "not_found": "页面不存在",
        "not_found_text": "您要找的页面不存在或已被撤下。", "back_home": "返回首页", "empty": "暂无内容。",
        "tag": "标签", "programme": "专题", "tag_title": "标签：{name}", "programme_title": "专题：{name}",
        "tag_count": "（{n}）", "all_tag": "全部标签", "all_programme": "全部专题",
        "updated": "更新", "nav": "主导航", "footer_note":
        "本网站内容由泉州市有关部门发布的中文文件整理，英文译文经人工审核。", "approved_by": "审核人",
        "choose": "请选择语言", "pagination": "分页", "previous": "上一页", "next": "下一页",
        "page_of": "第 {n} 页，共 {total} 页", "page_title": "{title}（第 {n} 页）",
        "search": "搜索", "search_needs_js": "搜索需要在浏览器中启用 JavaScript。",
    },
    "en": {
        "skip": "Skip to content", "home": "Home", "language_name": "English", "other_language": "中文",
        "switch": "中文版", "latest": "Latest", "sections": "Sections", "programmes": "Programmes",
        "tags": "Tags", "feed": "RSS feed", "atom": "Atom feed", "doc_number": "Document number",
        "issuer": "Issued by", "date": "Published", "valid_from": "Valid from", "valid_until": "Valid until",
        "validity": "Status", "valid": "In force", "expiring": "In force, expiring soon", "expired": "Expired",
        "expired_note": "This document has expired and is kept for reference only.",
        "not_yet": "Not yet in force", "review_badge": "Update under review",
        "under_review": "The Chinese original has been updated; a revised English translation is under "
                        "review. This page shows the last approved translation.",
        "no_translation": "", "provenance": "Provenance",
        "source_note": "Translated from Chinese and reviewed by people; the Chinese original is authoritative.",
        "source_note_memory": "Translated from Chinese and reviewed by people; sentences matching approved "
                              "translation memory word for word reuse its reviewed English. The Chinese original "
                              "is authoritative.",
        "memory": "approved translation memory",
        "not_found": "Page not found", "not_found_text": "The page you are looking for does not exist or was "
        "withdrawn.", "back_home": "Back to the home page", "empty": "Nothing here yet.", "tag": "Tag",
        "programme": "Programme", "tag_title": "Tag: {name}", "programme_title": "Programme: {name}",
        "tag_count": "({n})", "all_tag": "All tags", "all_programme": "All programmes",
        "updated": "Updated", "nav": "Main navigation",
        "footer_note": "Based on Chinese documents published by Quanzhou authorities; English translations "
                       "are reviewed by people.", "approved_by": "Approved by", "choose": "Choose a language",
        "pagination": "Pages", "previous": "Previous", "next": "Next", "page_of": "Page {n} of {total}",
        "page_title": "{title} – page {n}",
        "search": "Search", "search_needs_js": "Search needs JavaScript enabled in your browser.",
    },
}

SECTIONS = {
    "guides": {"zh": "办事指南", "en": "Guides"},
    "policies": {"zh": "政策文件", "en": "Policy documents"},
    "about": {"zh": "关于本站", "en": "About"},
    "news": {"zh": "新闻动态", "en": "News"},
}


def section_name(section: str, lang: str, labels: dict[str, dict[str, str]] | None = None) -> str:
    """A built-in section's name, else the folder's label in `labels` (glossary/tags.yaml, as programmes have
    theirs: `events: {zh: 活动, en: Events}`), else its folder name as English (the build tells a Chinese page
    shows it so)."""
    if names := SECTIONS.get(section):
        return names[lang]
    if label := (labels or {}).get(section, {}).get(lang):
        return label
    text = section.replace("-", " ")
    return text.title() if lang == "en" else text


def unnamed_sections(sections, labels: dict[str, dict[str, str]]) -> list[str]:
    """`section (zh)` for each section Chinese pages show by its folder name: no Chinese name or label."""
    return [f"{section} (zh)" for section in sorted(sections)
            if section not in SECTIONS and "zh" not in labels.get(section, {})]


def programme_name(programme: str, lang: str, labels: dict[str, dict[str, str]] | None = None) -> str:
    """A programme's label in `labels` (glossary/tags.yaml: `240-hour-transit: {zh: 240小时过境免签, en: …}`), else
    its slug with spaces, as English: `240-hour-transit` is `240-hour transit` (the build tells a Chinese page
    shows it so)."""
    if label := (labels or {}).get(programme, {}).get(lang):
        return label
    words = programme.split("-")
    text = words[0]
    for before, word in zip(words, words[1:], strict=False):
        text += ("-" if before.isdigit() else " ") + word
    return text[:1].upper() + text[1:] if lang == "en" else text
