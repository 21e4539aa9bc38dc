//! The roadmap: items by status and quarter, linking pain points, shipping
//! (after a confirmation), public items, and the "you said, we did" page.

use super::routes::Routes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{PlatformTeam, SignedIn};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::db::roadmap;
use crate::db::{pain_points, replies, tree};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::labels::{LabelFilter, split_list};
use crate::domain::pain_point::PainPoint;
use crate::domain::roadmap::{NewRoadmapItem, RoadmapDraft, RoadmapItem, RoadmapStatus};
use crate::error::{Error, Result};
use crate::jobs::closed_loop;
use crate::views::{self, Chrome};

/// The roadmap: the board and items for the platform team (the API in
/// `web::roadmap_api`); an item's page and what shipped for everyone
/// signed in, as far as the team made them public.
pub fn routes() -> Routes {
    use super::roadmap_api as api;
    Routes::default()
        .team_page("/roadmap", get(board).post(create))
        .page("/roadmap/{id}", get(detail))
        .team_page("/roadmap/{id}/pain-points", post(link))
        .team_page("/roadmap/{id}/status", post(set_status))
        .team_page("/roadmap/{id}/edit", post(edit))
        .team_page("/roadmap/{id}/public", post(set_public))
        .page("/shipped", get(shipped_page))
        .team_api(
            "/api/v1/roadmap-items",
            get(api::list_api).post(api::create_api),
        )
        .team_api(
            "/api/v1/roadmap-items/{id}",
            get(api::get_api).patch(api::update_api),
        )
        .team_api(
            "/api/v1/roadmap-items/{id}/pain-points",
            post(api::link_api),
        )
        .team_api("/api/v1/roadmap-items/{id}/ship", post(api::ship_api))
}

pub(super) async fn load(state: &AppState, id: i64) -> Result<RoadmapItem> {
    state
        .db
        .read(move |connection| roadmap::by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)
}

pub async fn board(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Query(filter): Query<LabelFilter>,
) -> Result<Response> {
    render_board(
        &state,
        &viewer,
        &csrf,
        &filter,
        &RoadmapDraft::default(),
        FieldErrors::default(),
    )
    .await
}

async fn render_board(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    filter: &LabelFilter,
    draft: &RoadmapDraft,
    errors: FieldErrors,
) -> Result<Response> {
    let mut items = state.db.read(roadmap::list).await?;
    items.retain(|item| filter.admits(&item.services, &item.tags));
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let page = views::roadmap::BoardPage {
        items: &items,
        filter,
        draft,
        errors: &errors,
    };
    Ok((
        super::form_status(&errors),
        views::roadmap::board(&chrome, &page),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    target_quarter: String,
    #[serde(default)]
    services: String,
    #[serde(default)]
    tags: String,
}

impl ItemForm {
    /// The draft of an item with `status` (a form never sets it).
    fn draft(self, status: RoadmapStatus) -> RoadmapDraft {
        RoadmapDraft {
            title: self.title,
            description: self.description,
            target_quarter: self.target_quarter,
            status: status.as_str().to_owned(),
            services: split_list(&self.services),
            tags: split_list(&self.tags),
        }
    }
}

/// Adds an item; a mistake shows the board again with what was typed.
pub async fn create(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<ItemForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let draft = form.draft(RoadmapStatus::Idea);
    let item = match NewRoadmapItem::parse(&draft) {
        Ok(item) => item,
        Err(errors) => {
            let filter = LabelFilter::default();
            return render_board(&state, &viewer, &csrf, &filter, &draft, errors).await;
        }
    };
    let owner = viewer.user.id;
    let stored = state
        .db
        .write(move |connection| roadmap::insert(connection, &item, owner, now))
        .await;
    match stored {
        Ok(id) => Ok(Redirect::to(&format!("/roadmap/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            let filter = LabelFilter::default();
            render_board(&state, &viewer, &csrf, &filter, &draft, errors).await
        }
        Err(error) => Err(error),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<RoadmapItem>>,
) -> Result<Response> {
    let id = id.get();
    let item = load(&state, id).await?;
    if !viewer.is_platform_team() {
        // A contributor reads what /shipped shows of a shipped item, and
        // the title, description and state of one the team made public.
        if item.status == RoadmapStatus::Shipped {
            return Ok(Redirect::to(&format!("/shipped#roadmap-{id}")).into_response());
        }
        if !item.public {
            return Err(Error::NotFound);
        }
        let chrome = Chrome {
            viewer: Some(&viewer.user),
            csrf: &csrf,
        };
        return Ok(views::roadmap::public_item(&chrome, &item).into_response());
    }
    let draft = views::roadmap::draft_of(&item);
    render_detail(&state, &viewer, &csrf, item, &draft, FieldErrors::default()).await
}

async fn render_detail(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    item: RoadmapItem,
    draft: &RoadmapDraft,
    errors: FieldErrors,
) -> Result<Response> {
    let id = item.id;
    let (tests, choices) = state
        .db
        .read(move |connection| {
            Ok((
                tree::assumption_tests(connection, Some(id))?,
                pain_points::choices(connection)?,
            ))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let page = views::roadmap::DetailPage {
        item: &item,
        tests: &tests,
        pain_points: &choices,
        draft,
        errors: &errors,
    };
    Ok((
        super::form_status(&errors),
        views::roadmap::detail(&chrome, &page),
    )
        .into_response())
}

/// An item's page with `errors` from one of its forms (assumption tests).
pub async fn show_with_problems(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    errors: FieldErrors,
) -> Result<Response> {
    let item = load(state, id).await?;
    let draft = views::roadmap::draft_of(&item);
    render_detail(state, viewer, csrf, item, &draft, errors).await
}

/// Changes the title, description, quarter, services and tags from the
/// item's page; a mistake shows the page again with what was typed.
pub async fn edit(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<RoadmapItem>>,
    VerifiedForm(form): VerifiedForm<ItemForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let current = load(&state, id).await?;
    let draft = form.draft(current.status);
    let outcome = match NewRoadmapItem::parse(&draft) {
        Ok(item) => {
            state
                .db
                .write(move |connection| roadmap::update(connection, id, &item, now))
                .await
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/roadmap/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            render_detail(&state, &viewer, &csrf, current, &draft, errors).await
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pain_point: String,
}

/// Links a pain point chosen in the picker.
pub async fn link(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<RoadmapItem>>,
    VerifiedForm(form): VerifiedForm<LinkForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let outcome = match form.pain_point.parse::<Id<PainPoint>>() {
        Ok(pain_point) => {
            let pain_point = pain_point.get();
            state
                .db
                .write(move |connection| roadmap::link_pain_point(connection, id, pain_point, now))
                .await
        }
        Err(_) => Err(Error::invalid(
            "pain_point",
            "choose a pain point from the list",
        )),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/roadmap/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            let item = load(&state, id).await?;
            let draft = views::roadmap::draft_of(&item);
            render_detail(&state, &viewer, &csrf, item, &draft, errors).await
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct RoadmapStatusForm {
    #[serde(default)]
    status: String,
    /// "yes" once the person saw what shipping does.
    #[serde(default)]
    confirm: String,
}

/// Sets the status. Shipping first shows what it will do (how many people
/// are emailed, how many pain points become addressed), then goes through
/// [`closed_loop::ship`].
pub async fn set_status(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<RoadmapItem>>,
    VerifiedForm(form): VerifiedForm<RoadmapStatusForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let status = match RoadmapStatus::parse_as("status", &form.status) {
        Ok(status) => status,
        Err(errors) => {
            let item = load(&state, id).await?;
            let draft = views::roadmap::draft_of(&item);
            return render_detail(&state, &viewer, &csrf, item, &draft, errors).await;
        }
    };
    let item = load(&state, id).await?;
    let shipping = status == RoadmapStatus::Shipped && item.status != RoadmapStatus::Shipped;
    if shipping && form.confirm != "yes" {
        let (people, addressed) = state
            .db
            .read(move |connection| {
                Ok((
                    roadmap::requesters(connection, id)?.len(),
                    roadmap::pain_points_to_address(connection, id)?,
                ))
            })
            .await?;
        let chrome = Chrome {
            viewer: Some(&viewer.user),
            csrf: &csrf,
        };
        return Ok(views::roadmap::confirm_ship(&chrome, &item, people, addressed).into_response());
    }
    if status != item.status {
        move_to(&state, &viewer, id, item.status, status, now).await?;
    }
    Ok(Redirect::to(&format!("/roadmap/{id}")).into_response())
}

/// Puts an item that was `from` in `to`: shipping goes through
/// [`closed_loop::ship`] (which tells the people who asked, each once), any
/// other status is just set; a change is recorded in the audit log.
pub async fn move_to(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    from: RoadmapStatus,
    to: RoadmapStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    if to == RoadmapStatus::Shipped {
        closed_loop::ship(&state.db, &state.links, id, now).await?;
    } else if to != from {
        state
            .db
            .write(move |connection| roadmap::set_status(connection, id, to, now))
            .await?;
    }
    if to != from {
        super::audit::record(
            state,
            viewer,
            crate::domain::audit::AuditAction::StatusChanged,
            format!("roadmap_item:{id}"),
            to.as_str().to_owned(),
        )
        .await?;
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct PublicForm {
    #[serde(default)]
    public: String,
}

/// Shows an item's title, description and state to everyone, or stops.
pub async fn set_public(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<RoadmapItem>>,
    VerifiedForm(form): VerifiedForm<PublicForm>,
) -> Result<Redirect> {
    let id = id.get();
    let public = form.public == "true";
    state
        .db
        .write(move |connection| replies::set_roadmap_public(connection, id, public))
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{id}")))
}

/// What shipped and which problems it answered, for every signed-in person.
pub async fn shipped_page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let items = state.db.read(roadmap::shipped).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::roadmap::shipped(&chrome, &items))
}
