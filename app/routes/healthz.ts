// Liveness: the process is up. No dependency checks here (see /readyz).
export const loader = () => new Response("ok", { headers: { "Content-Type": "text/plain" } });
