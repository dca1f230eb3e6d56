//! One test binary: every scenario runs on SQLite and on PostgreSQL.
//! `scripts/test` skips the `postgres::` half (and says so) when no server is reachable.

/// GET a JSON page that must answer 200.
pub async fn api(c: &mut langnghe_it::Client, path: &str) -> serde_json::Value {
    let r = c.get(path).await;
    assert_eq!(r.status, http::StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

/// The id of the demo's Lào Cai plan (316/KH-UBND), as this client finds it.
pub async fn lao_cai_plan(c: &mut langnghe_it::Client) -> i64 {
    let list = api(c, "/api/v1/programs?q=316&limit=10").await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["key"] == "lc-316-2022")
        .and_then(|p| p["id"].as_i64())
        .expect("the Lào Cai plan")
}

/// The `name` of every item of a list answer.
pub fn names(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().unwrap_or("").to_string())
        .collect()
}

mod auth_security;
mod concurrency;
mod consolidation_honest;
mod contract;
mod daily;
mod dashboard;
mod demo_history;
mod drafts;
mod english;
mod forms2;
mod import_speed;
mod kept;
mod mail;
mod map;
mod outputs_scoped;
mod places;
mod plans_reliability;
mod programs;
mod registry;
mod registry_reliability;
mod reporting;
mod scenarios;
mod schema;
mod schemes;
mod words;

use auth_security::*;
use concurrency::*;
use consolidation_honest::*;
use contract::*;
use daily::*;
use dashboard::*;
use demo_history::*;
use drafts::*;
use english::*;
use forms2::*;
use import_speed::*;
use kept::*;
use map::*;
use outputs_scoped::*;
use places::*;
use plans_reliability::*;
use programs::*;
use registry::*;
use registry_reliability::*;
use reporting::*;
use scenarios::*;
use schemes::*;
use words::*;

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { crate::$name(langnghe_it::Backend::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { crate::$name(langnghe_it::Backend::Postgres).await } )*
        }
    };
}

on_both_stores!(
    kept_figures_equal_a_recomputation_after_every_change,
    kept_figures_do_not_read_the_tables_that_do_not_count,
    every_counted_table_moves_the_plans_revision,
    registry_revision_moves_at_commit,
    tokens_are_kept_under_their_revisions,
    revisions_are_read_once_for_requests_at_once,
    every_output_is_scoped,
    versions_refuse_lost_updates,
    requests_take_turns,
    concurrent_writers_get_no_server_error,
    wrong_json_types_name_the_field,
    optional_action_bodies_are_objects_or_nothing,
    scheme_demo_shows_every_stage,
    scheme_end_to_end_through_the_api,
    activities_and_schemes_prefill_reports,
    scheme_reviewer_decides_custom_rules,
    reporting_cycle_end_to_end,
    report_excel_round_trip_is_all_or_nothing,
    timeliness_and_reminders,
    reporting_pages_render,
    geography_counts_and_codes,
    codes_resolve_by_date,
    old_units_roll_up_to_today,
    search_folds_vietnamese,
    admin_unit_list_filters_and_pages,
    unit_detail_has_links_across_reform,
    agencies_from_the_seeds,
    login_logout_and_sessions_survive_restart,
    csrf_is_required_for_state_changes,
    login_is_throttled,
    password_change,
    api_tokens_authenticate,
    api_tokens_are_listed_and_revoked,
    roles_limit_what_users_do,
    scope_hides_other_districts_everywhere,
    scope_follows_geography_across_the_reform,
    one_write_makes_one_audit_row,
    audit_log_is_append_only,
    language_switch_is_remembered,
    bad_input_gets_clear_4xx,
    hostile_strings_are_stored_intact_and_escaped,
    pages_render_for_admin,
    start_is_idempotent_and_keeps_edits,
    openapi_describes_every_api_route,
    registry_demo_from_seeds,
    registry_crud_validation_and_history,
    registry_rules_are_computed,
    registry_lists_filter_sort_page,
    registry_search_is_ranked_and_folded,
    registry_scope_hides_other_places,
    registry_export_xlsx_and_csv,
    registry_import_is_all_or_nothing,
    registry_document_files,
    plans_seed_rates_are_reproduced,
    plan_drafts_from_text_to_programme,
    plan_draft_of_seed_003_agrees_with_the_demo,
    plans_pages_tasks_and_scope,
    plans_appendix_is_rendered_and_exported,
    plans_entered_by_hand,
    plans_below_a_programme_by_indicator,
    plan_records_refuse_lost_updates,
    target_changes_keep_splits_whole,
    concurrent_transitions_make_one_move,
    concurrent_approvals_keep_period_totals,
    status_change_and_edit_lose_nothing,
    scheme_outputs_follow_scope,
    plan_and_scheme_pages_keep_typing_on_conflict,
    reads_never_wait_behind_writes,
    throttling_slows_the_pair_not_the_account,
    trusted_proxy_names_the_client,
    login_next_is_same_site_and_never_a_500,
    weak_passwords_are_refused_everywhere,
    request_ids_are_checked_and_audited,
    headers_keep_private_answers_out_of_caches,
    accounts_refuse_lost_updates,
    cli_waits_while_the_store_is_initialised,
    answers_match_their_declared_schema,
    registry_refuses_lists_for_single_values,
    registry_versions_refuse_lost_updates,
    registry_concurrent_updates_lose_nothing,
    registry_cursor_walks_every_row_once,
    registry_import_beside_other_writers,
    registry_import_writes_what_a_create_writes,
    registry_import_of_many_batches_keeps_every_record_whole,
    duplicates_name_their_field_in_both_languages,
    state_conflicts_carry_a_message_key,
    english_is_whole_on_the_main_pages,
    numbers_follow_the_language,
    forms_keep_typing_and_name_fields,
    // daily
    district_reads_the_plans_that_contain_it,
    todo_lists_what_is_due_by_role,
    // consol
    consolidation_states_coverage_and_compares_per_category,
    plan_page_has_sections_and_a_scoped_summary_pdf,
    places_name_search_with_parents_and_era,
    places_filters_take_names,
    places_ambiguous_or_unknown_names_are_422,
    places_forms_accept_a_unique_name,
    places_village_page_cites_documents,
    places_empty_columns_are_hidden,
    places_exports_say_what_they_hold,
    // import
    registry_import_resolves_codes_as_forms_do,
    // i12-demo
    demo_history_is_idempotent_mixed_and_marked_sample,
    // english
    scheme_reasons_follow_the_language,
    period_names_and_shared_targets_follow_the_language,
    scheme_action_errors_keep_what_was_typed,
    // map
    map_has_63_then_34_provinces_with_shapes,
    map_figures_move_when_a_village_is_recognised,
    map_counts_only_the_readers_scope,
    map_bad_parameters_name_their_field,
    programme_dashboard_is_live_and_scoped,
    province_overview_is_scoped_both_ways,
    // forms2
    plan_inline_forms_keep_typing,
    reports_filter_by_unit_name,
);

/// Both stores at once: under `postgres::` so that a run without a server skips it.
mod schema_check {
    mod postgres {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn both_schemas_are_equal() {
            crate::schema::both_schemas_are_equal().await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn pg_sessions_are_tuned_for_short_reads() {
            crate::schema::pg_sessions_are_tuned_for_short_reads().await
        }
    }
}
