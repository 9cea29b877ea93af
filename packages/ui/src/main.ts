import { QueryClient, VueQueryPlugin } from '@tanstack/vue-query';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppRouter } from './router.ts';
import './styles/base.css';

const theme = localStorage.getItem('archy.theme');
document.documentElement.dataset['theme'] = theme === 'light' ? 'light' : 'dark';

const pinia = createPinia();
const queryClient = new QueryClient({
  defaultOptions: {
    // Live state comes from the push channel; queries only fill in the rest.
    queries: { refetchOnWindowFocus: false, retry: 1, staleTime: 10_000 },
  },
});

createApp(App).use(pinia).use(createAppRouter(pinia)).use(VueQueryPlugin, { queryClient }).mount('#app');
