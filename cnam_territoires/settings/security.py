"""Security: production defaults whenever DEBUG and the demo are off (HTTPS, cookies,
sessions, HSTS), the Content-Security-Policy, and the throttling of logins."""

from csp.constants import NONE, SELF, UNSAFE_INLINE

from cnam_territoires.settings.base import DEBUG, DEMO, env

# --- Security: production defaults whenever DEBUG and the demo are off -----------------------
# `check --deploy --fail-level WARNING` passes with nothing but a secret key and the hosts set
# (tests/test_deploy_settings.py). A local set-up over plain http says so explicitly
# (.env.example: DJANGO_SECURE_SSL_REDIRECT=false, DJANGO_SECURE_COOKIES=false…).
PRODUCTION_DEFAULTS = not DEBUG and not DEMO
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION_DEFAULTS)
# Cookies: Secure outside DEBUG, never readable by scripts, not sent on cross-site requests
# (SameSite=Lax: links from a mail still open the page logged in), and the __Host- prefix (the
# browser refuses them from http or with a Domain) when Secure.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Sessions end after SESSION_IDLE_MINUTES without a request (the expiry slides, refreshed at most
# once a minute) and SESSION_ABSOLUTE_HOURS after the login whatever the activity
# (diagnostics.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_MINUTES = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("DJANGO_SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_HSTS_SECONDS", default=31_536_000 if PRODUCTION_DEFAULTS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): scripts and styles from our own static files only —
# no inline <script>, no style="…" or on…= attributes in templates (tests/test_csp.py scans them),
# data for scripts in json_script blocks. DSFR sets styles through the CSSOM (element.style),
# which CSP allows. plotly.js's global <style> element is replaced by our stylesheet
# (templates/plotly_js.html); but plotly.js itself writes style *attributes* on the SVG it draws
# (text spans, colour bars): `style-src-attr 'unsafe-inline'` lets it, and only it — our
# templates hold none (tests/test_csp.py), and a style attribute runs no script. Nothing is
# fetched from another origin (plotly.js, DSFR and Swagger UI are our static files). DJANGO_CSP_REPORT_ONLY=true sends the
# same policy as Content-Security-Policy-Report-Only (to try a change in production first).
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.bool("DJANGO_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Login throttling -----------------------------------------------------------------------
# django-axes: after AXES_FAILURE_LIMIT failures, lock the client address whatever the
# usernames tried (password spraying: one password over many accounts), and the username+address
# pair. Behind a reverse proxy the address must be the client's (docs/security.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Beyond axes (diagnostics.services.login_throttle, counted from the audit log): one username
# from any address, and the whole service.
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=10)
LOGIN_USERNAME_WINDOW_MINUTES = env.int("LOGIN_USERNAME_WINDOW_MINUTES", default=15)
LOGIN_GLOBAL_FAILURE_LIMIT = env.int("LOGIN_GLOBAL_FAILURE_LIMIT", default=200)
LOGIN_GLOBAL_WINDOW_SECONDS = env.int("LOGIN_GLOBAL_WINDOW_SECONDS", default=60)
