// Routes are lazy so the first paint loads only the shell and the screen asked for.
import type { Pinia } from 'pinia';
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { onUnauthenticated } from './api/rpc.ts';
import { useSessionStore } from './stores/session.ts';

const PUBLIC = new Set(['setup', 'login']);

export function createAppRouter(pinia: Pinia) {
  const router = createRouter({
    history: createWebHistory(),
    scrollBehavior: () => ({ top: 0 }),
    routes: [
      {
        path: '/setup',
        name: 'setup',
        component: () => import('./views/SetupView.vue'),
        meta: { title: 'Welcome' },
      },
      {
        path: '/login',
        name: 'login',
        component: () => import('./views/LoginView.vue'),
        meta: { title: 'Sign in' },
      },
      {
        path: '/',
        name: 'home',
        component: () => import('./views/DashboardView.vue'),
        meta: { title: 'Home' },
      },
      {
        path: '/store',
        name: 'store',
        component: () => import('./views/StoreView.vue'),
        meta: { title: 'App store' },
      },
      {
        path: '/store/:id',
        name: 'store-app',
        component: () => import('./views/StoreAppView.vue'),
        meta: { title: 'App' },
      },
      {
        path: '/apps',
        name: 'apps',
        component: () => import('./views/MyAppsView.vue'),
        meta: { title: 'My apps' },
      },
      {
        path: '/apps/:id',
        name: 'app',
        component: () => import('./views/InstalledAppView.vue'),
        meta: { title: 'App' },
      },
      {
        path: '/sources',
        name: 'sources',
        component: () => import('./views/SourcesView.vue'),
        meta: { title: 'Catalog sources' },
      },
      {
        path: '/backups',
        name: 'backups',
        component: () => import('./views/BackupsView.vue'),
        meta: { title: 'Backups' },
      },
      {
        path: '/settings',
        name: 'settings',
        component: () => import('./views/SettingsView.vue'),
        meta: { title: 'Settings' },
      },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  });

  router.beforeEach(async (to: RouteLocationNormalized) => {
    const session = useSessionStore(pinia);
    if (!session.loaded) {
      try {
        await session.load();
      } catch {
        // The node is unreachable: the login screen says so and retries.
        return to.name === 'login' ? true : { name: 'login', query: { next: to.fullPath } };
      }
    }
    const name = String(to.name);
    if (session.setupRequired) return name === 'setup' ? true : { name: 'setup' };
    if (name === 'setup') return session.authenticated ? { name: 'home' } : { name: 'login' };
    if (!session.authenticated && !PUBLIC.has(name)) return { name: 'login', query: { next: to.fullPath } };
    if (session.authenticated && name === 'login') return { name: 'home' };
    return true;
  });

  router.afterEach((to) => {
    const title = typeof to.meta['title'] === 'string' ? to.meta['title'] : '';
    document.title = title ? `${title} · Archipelago` : 'Archipelago';
  });

  onUnauthenticated(() => {
    useSessionStore(pinia).forget();
    const current = router.currentRoute.value;
    if (!PUBLIC.has(String(current.name)))
      void router.push({ name: 'login', query: { next: current.fullPath } });
  });

  return router;
}
