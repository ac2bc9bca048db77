from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext_lazy as _

from arrears.interfaces.api.errors import api_urls, unknown_path
from arrears.interfaces.api.v1 import api
from arrears.interfaces.portal.api import portal_api
from arrears.interfaces.web import (
    agencies,
    case,
    complaints,
    concessions,
    disputes,
    inquiries,
    insight,
    insight_mine,
    lead,
    legal,
    pay,
    plans,
    quality,
    queue,
    recovery,
    scoring,
    session,
    strategies,
    views,
    workbench,
)
from arrears.interfaces.web.forms_login import AdminLoginForm

handler403 = "arrears.interfaces.web.problems.forbidden"
handler404 = "arrears.interfaces.web.problems.not_found"
handler500 = "arrears.interfaces.web.server_error.server_error"
admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Arrears administration")
admin.site.site_title = _("Arrears administration")
admin.site.index_title = _("Settings and records")

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", unknown_path),  # the bare root too (the framework's own answer there is the HTML 404)
    path("api/", api_urls(api)),
    re_path(r"^api/(?P<rest>.*)$", unknown_path),  # after the API: any other /api/ path is a JSON 404
    path("i18n/setlang/", session.set_language, name="set_language"),
    path("portal/api/", api_urls(portal_api)),
    re_path(r"^portal/api/(?P<rest>.*)$", unknown_path),
]
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/<str:ref>/", views.account_detail, name="account"),
    path("accounts/<str:ref>/reveal/", views.reveal_page, name="account-reveal"),
    path("accounts/<str:ref>/inquiry/", inquiries.desk_page, name="inquiry-desk"),
    path("work/", queue.workbench, name="workbench"),
    path("work/next/", queue.take_next, name="take-next"),
    path("cases/<int:case_id>/", case.case_page, name="case"),
    path("team/", lead.team_page, name="team"),
    path("recovery/vintages/", recovery.vintages_page, name="recovery-vintages"),
    path("team/export.csv", lead.export_csv, name="team-export-csv"),
    path("team/export.xlsx", lead.export_xlsx, name="team-export-xlsx"),
    path("insight/mine/", insight_mine.mine_page, name="insight-mine"),
    path("insight/mine/weekly.pdf", insight_mine.mine_pdf, name="insight-mine-weekly"),
    path("insight/weekly.pdf", insight_mine.team_pdf, name="insight-weekly-pdf"),
    path("insight/", insight.insight_page, name="insight"),
    path("insight/export.csv", insight.export_csv, name="insight-export-csv"),
    path("insight/export.xlsx", insight.export_xlsx, name="insight-export-xlsx"),
    path("handoffs/", workbench.handoffs_page, name="handoffs"),
    path("optout/<str:token>/", workbench.opt_out_page, name="optout"),
    path("pay/test/<str:checkout_ref>/", pay.test_gateway_page, name="pay-test"),
    path("audit/", workbench.audit_page, name="audit"),
    path("cases/<int:case_id>/plans/quote/", plans.quote, name="plan-quote"),
    path("cases/<int:case_id>/plans/propose/", plans.propose, name="plan-propose"),
    path("plans/inbox/", plans.inbox, name="plans-inbox"),
    path("cases/<int:case_id>/concessions/", concessions.create, name="concession-create"),
    path("approvals/", concessions.inbox_page, name="approvals"),
    path("strategies/", strategies.strategies_page, name="strategies"),
    path("scoring/", scoring.models_page, name="scoring-models"),
    path("scoring/models/<int:model_id>/", scoring.model_page, name="scoring-model"),
    path("scoring/models/<int:model_id>/promote/", scoring.promote_model, name="scoring-model-promote"),
    path("plans/<int:plan_id>/document/", plans.document, name="plan-document"),
    path("plans/<int:plan_id>/<str:action>/", plans.act, name="plan-act"),
    path("disputes/", disputes.dispute_list, name="disputes"),
    path("disputes/open/", disputes.dispute_open, name="dispute-open"),
    path("disputes/<int:dispute_id>/", disputes.dispute_detail, name="dispute"),
    path("disputes/<int:dispute_id>/evidence.pdf", disputes.dispute_evidence, name="dispute-evidence"),
    path("disputes/<int:dispute_id>/letter.pdf", disputes.dispute_letter, name="dispute-letter"),
    path("complaints/", complaints.complaints_list, name="complaints"),
    path("complaints/new/", complaints.complaint_new, name="complaint-new"),
    path("complaints/<int:complaint_id>/", complaints.complaint_detail, name="complaint"),
    path("quality/", quality.queue_page, name="quality"),
    path("quality/mine/", quality.mine_page, name="quality-mine"),
    path("quality/tasks/<int:task_id>/", quality.task_page, name="quality-task"),
    path("quality/calibration/<int:session_id>/", quality.calibration_page, name="quality-calibration"),
    path("legal/", legal.legal_list, name="legal"),
    path("legal/cases/<int:legal_case_id>/", legal.legal_case, name="legal-case"),
    path("agency/", agencies.portal, name="agency-portal"),
    path("agency/accounts/<int:placed_account_id>/", agencies.account, name="agency-account"),
    path("agencies/", agencies.overview, name="agencies"),
    path("agencies/<slug:code>/remittance/<str:month>/", agencies.remittance_page, name="agency-remittance"),
    path("agencies/<slug:code>/remittance/<str:month>.csv", agencies.remittance_csv, name="agency-remittance-csv"),
    path("login/", session.SignIn.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("portal/", include("arrears.interfaces.portal.urls")),
    prefix_default_language=False,
)
