//! Pickers: wherever one thing is linked to another, the person chooses it
//! by its title, never by typing an id, and nothing is chosen for them.
//!
//! Without JavaScript a picker is a plain `<select>` whose first option is
//! "Choose …" (empty, so a hurried click links nothing). `earshot.js` turns
//! it into a search box backed by the search index (`/api/v1/search` with
//! `kind:` of the things offered), keeping the same field name.

use maud::{Markup, html};

/// What a picker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    PainPoint,
    Feedback,
    Outcome,
    TeamMember,
}

impl PickerKind {
    /// The search `kind:` the script looks in; `None` for short lists that
    /// are filtered in the page.
    fn search_kind(self) -> Option<&'static str> {
        match self {
            PickerKind::PainPoint => Some("pain_point"),
            PickerKind::Feedback => Some("feedback"),
            PickerKind::Outcome | PickerKind::TeamMember => None,
        }
    }

    fn prompt(self) -> &'static str {
        match self {
            PickerKind::PainPoint => "Choose a pain point…",
            PickerKind::Feedback => "Choose feedback…",
            PickerKind::Outcome => "Choose an outcome…",
            PickerKind::TeamMember => "Nobody",
        }
    }
}

/// One picker field.
pub struct Picker<'a> {
    pub kind: PickerKind,
    /// The form field's name.
    pub name: &'a str,
    /// The element id (unique in the page), for its label.
    pub id: &'a str,
    pub label: &'a str,
    pub choices: &'a [(i64, String)],
    /// The value already chosen (an item's current assignee), if any.
    pub chosen: Option<i64>,
    /// The form this field belongs to, when it sits outside it.
    pub form: Option<&'a str>,
    /// The form cannot be sent without a choice (the browser says so).
    pub required: bool,
}

pub fn picker(picker: &Picker<'_>) -> Markup {
    html! {
        label for=(picker.id) { (picker.label) }
        select id=(picker.id) name=(picker.name) form=[picker.form] required[picker.required]
            data-picker=[picker.kind.search_kind()] data-picker-prompt=(picker.kind.prompt()) {
            option value="" selected[picker.chosen.is_none()] { (picker.kind.prompt()) }
            @for (id, title) in picker.choices {
                option value=(id) selected[picker.chosen == Some(*id)] { (title) }
            }
        }
    }
}
